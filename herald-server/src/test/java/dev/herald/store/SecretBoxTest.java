package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ROW = "the secret of endpoint ep-1";

    static byte[] newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void aSealedValueNamesItsKeyAndOpensToWhatWasSealed() throws Exception {
        byte[] key = newKey();
        SecretBox box = SecretBox.of(key, List.of());
        String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 8);

        String stored = box.seal(ROW, SECRET);

        assertThat(box.currentKeyId()).contains(id);
        assertThat(stored).startsWith("enc:v1:" + id + ":").doesNotContain(SECRET).doesNotContain(SECRET.substring(6));
        // 12-byte nonce, the 38-byte secret, 16-byte tag
        assertThat(Base64.getDecoder().decode(stored.substring(("enc:v1:" + id + ":").length()))).hasSize(12 + 38 + 16);
        assertThat(box.open(ROW, stored)).isEqualTo(SECRET);
        assertThat(SecretBox.of(key, List.of()).open(ROW, stored)).as("a fresh box, nothing cached").isEqualTo(SECRET);
    }

    @Test
    void everySealUsesAFreshNonce() {
        SecretBox box = SecretBox.of(newKey(), List.of());

        assertThat(box.seal(ROW, SECRET)).isNotEqualTo(box.seal(ROW, SECRET));
    }

    @Test
    void aValueMovedToAnotherRowOrColumnDoesNotOpenEvenAfterItWasOpenedWhereItBelongs() {
        SecretBox box = SecretBox.of(newKey(), List.of());
        String stored = box.seal(ROW, SECRET);
        assertThat(box.open(ROW, stored)).isEqualTo(SECRET);

        assertThatThrownBy(() -> box.open("the secret of endpoint ep-2", stored))
                .isInstanceOf(SecretBox.UnreadableSecretException.class)
                .hasMessage("the secret of endpoint ep-2 does not decrypt under key id " + box.currentKeyId().orElseThrow()
                        + ": the stored value was altered or copied from another row or column");
        assertThatThrownBy(() -> box.open("the previous_secret of endpoint ep-1", stored))
                .isInstanceOf(SecretBox.UnreadableSecretException.class);
    }

    @Test
    void anAlteredValueDoesNotOpen() {
        SecretBox box = SecretBox.of(newKey(), List.of());
        String stored = box.seal(ROW, SECRET);
        char last = stored.charAt(stored.length() - 3);
        String altered = stored.substring(0, stored.length() - 3) + (last == 'A' ? 'B' : 'A') + stored.substring(stored.length() - 2);

        assertThatThrownBy(() -> box.open(ROW, altered)).isInstanceOf(SecretBox.UnreadableSecretException.class)
                .hasMessageContaining("altered");
        assertThatThrownBy(() -> box.open(ROW, "enc:v1:")).isInstanceOf(SecretBox.UnreadableSecretException.class);
        assertThatThrownBy(() -> box.open(ROW, "enc:v1:" + box.currentKeyId().orElseThrow() + ":AAAA"))
                .isInstanceOf(SecretBox.UnreadableSecretException.class);
    }

    @Test
    void oldKeysReadAndTheCurrentOneWrites() {
        byte[] a = newKey();
        byte[] b = newKey();
        String underA = SecretBox.of(a, List.of()).seal(ROW, SECRET);
        SecretBox rotated = SecretBox.of(b, List.of(a));

        assertThat(rotated.open(ROW, underA)).isEqualTo(SECRET);
        assertThat(rotated.isCurrent(underA)).isFalse();
        String underB = rotated.seal(ROW, SECRET);
        assertThat(rotated.isCurrent(underB)).isTrue();
        assertThat(underB).startsWith("enc:v1:" + SecretBox.keyId(b) + ":");
    }

    @Test
    void aKeyThisBoxDoesNotHoldIsNamedWithTheSettingToFix() {
        byte[] a = newKey();
        String underA = SecretBox.of(a, List.of()).seal(ROW, SECRET);

        assertThatThrownBy(() -> SecretBox.of(newKey(), List.of()).open(ROW, underA))
                .isInstanceOf(SecretBox.UnreadableSecretException.class)
                .hasMessage(ROW + " is encrypted under key id " + SecretBox.keyId(a) + ", which this Herald does not hold;"
                        + " add that key to HERALD_ENCRYPTION_OLD_KEYS_FILE (or make it HERALD_ENCRYPTION_KEY_FILE) and restart");
        assertThatThrownBy(() -> SecretBox.plaintext().open(ROW, underA))
                .isInstanceOf(SecretBox.UnreadableSecretException.class)
                .hasMessage(ROW + " is encrypted under key id " + SecretBox.keyId(a) + ", which this Herald does not hold;"
                        + " set HERALD_ENCRYPTION_KEY_FILE to the file holding that key and restart");
    }

    @Test
    void plainTextPassesThroughBothWaysWithoutAKeyAndReadsWithOne() {
        SecretBox plain = SecretBox.plaintext();

        assertThat(plain.seal(ROW, SECRET)).isEqualTo(SECRET);
        assertThat(plain.open(ROW, SECRET)).isEqualTo(SECRET);
        assertThat(plain.isCurrent(SECRET)).isTrue();
        assertThat(plain.seal(ROW, null)).isNull();
        SecretBox keyed = SecretBox.of(newKey(), List.of());
        assertThat(keyed.open(ROW, SECRET)).as("a row written before encryption was turned on").isEqualTo(SECRET);
        assertThat(keyed.isCurrent(SECRET)).isFalse();
        assertThat(keyed.seal(ROW, null)).isNull();
        assertThat(keyed.open(ROW, null)).isNull();
    }

    @Test
    void theCheckAtStartNamesTheMissingKeyAndTheSetting() {
        byte[] a = newKey();
        byte[] b = newKey();
        Map<String, Long> inUse = Map.of(SecretBox.keyId(a), 3L);

        SecretBox.of(a, List.of()).checkReadable(inUse);
        SecretBox.of(b, List.of(a)).checkReadable(inUse);
        assertThatThrownBy(() -> SecretBox.of(b, List.of()).checkReadable(inUse))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the database holds 3 endpoint secret(s) encrypted under key id " + SecretBox.keyId(a)
                        + ", but neither HERALD_ENCRYPTION_KEY_FILE (key id " + SecretBox.keyId(b)
                        + ") nor HERALD_ENCRYPTION_OLD_KEYS_FILE holds that key; add it to HERALD_ENCRYPTION_OLD_KEYS_FILE");
        assertThatThrownBy(() -> SecretBox.plaintext().checkReadable(inUse))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the database holds 3 endpoint secret(s) encrypted under key id " + SecretBox.keyId(a)
                        + ", but HERALD_ENCRYPTION_KEY_FILE is not set; set it to the file holding that key");
        SecretBox.plaintext().checkReadable(Map.of());
    }
}
