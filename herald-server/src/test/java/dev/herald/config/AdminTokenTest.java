package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void withoutASetTokenOneIsGeneratedStoredForItsOwnerAndPrintedOnceWithHowToUseIt() throws Exception {
        Path dataDir = tmp.resolve("not/yet/there");
        HeraldConfig config = config(dataDir, Map.of("HERALD_PORT", "9123"));

        String token = AdminToken.resolve(config, out);

        assertThat(token).hasSizeGreaterThanOrEqualTo(HeraldConfig.MIN_ADMIN_TOKEN_LENGTH);
        Path file = dataDir.resolve(AdminToken.FILE);
        assertThat(Files.readString(file).trim()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String text = printed();
        assertThat(text).contains(file.toAbsolutePath().toString());
        assertThat(text).contains("curl -H 'Authorization: Bearer " + token + "' http://localhost:9123/v1/tenants");
        // once as the token itself, once in the curl line: nowhere else
        assertThat(text.split(Pattern.quote(token), -1)).hasSize(3);
    }

    @Test
    void aSecondStartReadsTheSameTokenAndPrintsOnlyWhereItIsKept() {
        HeraldConfig config = config(tmp, Map.of());
        String first = AdminToken.resolve(config, out);
        printed.reset();

        String second = AdminToken.resolve(config, out);

        assertThat(second).isEqualTo(first);
        assertThat(printed()).doesNotContain(first).contains(tmp.resolve(AdminToken.FILE).toAbsolutePath().toString());
    }

    @Test
    void everyDataDirectoryGetsItsOwnToken() {
        String a = AdminToken.resolve(config(tmp.resolve("a"), Map.of()), out);
        String b = AdminToken.resolve(config(tmp.resolve("b"), Map.of()), out);

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void aSetTokenWinsAndNothingIsWrittenOrPrinted() {
        String set = "set-by-the-operator-0123456789";

        String token = AdminToken.resolve(config(tmp, Map.of("HERALD_ADMIN_TOKEN", set)), out);

        assertThat(token).isEqualTo(set);
        assertThat(tmp.resolve(AdminToken.FILE)).doesNotExist();
        assertThat(printed()).doesNotContain(set);
    }

    @Test
    void aSetTokenWinsOverAStoredOne() {
        String stored = AdminToken.resolve(config(tmp, Map.of()), out);
        String set = "set-by-the-operator-0123456789";

        assertThat(AdminToken.resolve(config(tmp, Map.of("HERALD_ADMIN_TOKEN", set)), out)).isEqualTo(set).isNotEqualTo(stored);
    }

    @Test
    void aStoredFileWithoutAValidTokenIsAConfigurationError() throws Exception {
        Path file = tmp.resolve(AdminToken.FILE);
        Files.writeString(file, "short\n");

        assertThatThrownBy(() -> AdminToken.resolve(config(tmp, Map.of()), out))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("delete it");
        assertThat(Files.readString(file)).isEqualTo("short\n");
    }

    private static HeraldConfig config(Path dataDir, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("HERALD_DATA_DIR", dataDir.toString());
        return HeraldConfig.from(settings);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
