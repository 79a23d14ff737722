package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptionKeysTest {
    @TempDir
    Path dir;

    static String newKey(int bytes) {
        byte[] key = new byte[bytes];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static EncryptionKeys read(Path key, Path old) {
        return EncryptionKeys.read(HeraldConfig.from(old == null
                ? Map.of(HeraldConfig.ENCRYPTION_KEY_FILE, key.toString())
                : Map.of(HeraldConfig.ENCRYPTION_KEY_FILE, key.toString(), HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, old.toString())));
    }

    @Test
    void noSettingNoKeys() {
        EncryptionKeys keys = EncryptionKeys.read(HeraldConfig.defaults());

        assertThat(keys.current()).isEmpty();
        assertThat(keys.old()).isEmpty();
    }

    @Test
    void readsTheKeyIgnoringItsTrailingNewlineAndOldKeysOneALine() throws Exception {
        String current = newKey(32);
        String a = newKey(32);
        String b = newKey(32);

        EncryptionKeys keys = read(file("key", current + "\n"),
                file("old", "# retired 2025-01\n" + a + "\r\n\n  " + b + "  \n"));

        assertThat(keys.current()).hasValueSatisfying(k -> assertThat(k).isEqualTo(Base64.getDecoder().decode(current)));
        assertThat(keys.old()).satisfiesExactly(
                k -> assertThat(k).isEqualTo(Base64.getDecoder().decode(a)),
                k -> assertThat(k).isEqualTo(Base64.getDecoder().decode(b)));
        assertThat(keys.toString()).isEqualTo("EncryptionKeys[current=set, old=2]");
    }

    @Test
    void aMissingFileOrADirectoryIsNamedWithItsSetting() throws Exception {
        assertThatThrownBy(() -> read(dir.resolve("nope"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_KEY_FILE: " + dir.resolve("nope") + " does not exist");
        assertThatThrownBy(() -> read(dir, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_KEY_FILE: " + dir + " is not a file");
        assertThatThrownBy(() -> read(file("key", newKey(32)), dir.resolve("nope")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_OLD_KEYS_FILE: " + dir.resolve("nope") + " does not exist");
    }

    @Test
    void aKeyOfTheWrongLengthIsRefusedWithoutPrintingIt() throws Exception {
        String shortKey = newKey(16);

        assertThatThrownBy(() -> read(file("key", shortKey + "\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_ENCRYPTION_KEY_FILE: " + dir.resolve("key") + " decodes to 16 bytes; it must be the base64"
                        + " of 32 random bytes (make one with: openssl rand -base64 32)")
                .message().doesNotContain(shortKey);
    }

    @Test
    void textThatIsNotBase64IsRefusedWithoutPrintingAnyOfIt() throws Exception {
        String notBase64 = "correct-horse-battery-staple!";

        assertThatThrownBy(() -> read(file("key", notBase64), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_ENCRYPTION_KEY_FILE")
                .hasMessageContaining("is not base64")
                .message().doesNotContain(notBase64).doesNotContain("horse");
    }

    @Test
    void theKeyFileHoldsExactlyOneKey() throws Exception {
        assertThatThrownBy(() -> read(file("key", newKey(32) + "\n" + newKey(32) + "\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must hold one line").hasMessageContaining("it holds 2");
        assertThatThrownBy(() -> read(file("empty", "\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must hold one line").hasMessageContaining("it holds 0");
    }

    @Test
    void aBadOldKeyIsNamedByItsPlaceInTheFile() throws Exception {
        String bad = newKey(31);
        Path old = file("old", newKey(32) + "\n" + bad + "\n");

        assertThatThrownBy(() -> read(file("key", newKey(32)), old))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_OLD_KEYS_FILE: key 2 of " + old + " decodes to 31 bytes")
                .message().doesNotContain(bad);
        assertThatThrownBy(() -> read(file("key", newKey(32)), file("none", "# nothing yet\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_OLD_KEYS_FILE: " + dir.resolve("none") + " holds no key");
    }
}
