package dev.herald.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signatures against the Standard Webhooks test vectors, and the shape of Herald's ed25519 keys. */
class SignerTest {
    // The Standard Webhooks vectors: one message, its HMAC signature, and its ed25519 signature under a fixed seed.
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330;
    private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static final String SPEC_ED25519_SEED = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";
    private static final String SPEC_ED25519_PUBLIC = "ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=";
    private static final String SPEC_ED25519_SIGNATURE =
            "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==";

    /** The vector's key pair as Herald stores it: whsk_ and the seed followed by the public key. */
    private static String specPrivateKey() {
        byte[] seed = Base64.getDecoder().decode(SPEC_ED25519_SEED);
        byte[] pub = Base64.getDecoder().decode(SPEC_ED25519_PUBLIC);
        byte[] both = new byte[64];
        System.arraycopy(seed, 0, both, 0, 32);
        System.arraycopy(pub, 0, both, 32, 32);
        return "whsk_" + Base64.getEncoder().encodeToString(both);
    }

    @Test
    void theVectorsAreReproducedForBothSchemesAndAMixedHeaderKeepsTheKeysOrder() {
        assertThat(Signer.sign(List.of(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
        assertThat(Signer.sign(List.of(specPrivateKey()), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_ED25519_SIGNATURE);
        assertThat(Signer.sign(List.of(specPrivateKey(), SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(SPEC_ED25519_SIGNATURE + " " + SPEC_SIGNATURE);
        assertThat(Ed25519Keys.publicKey(specPrivateKey())).isEqualTo("whpk_" + SPEC_ED25519_PUBLIC);
    }

    @Test
    void aNewKeyPairIsWhskOf64BytesWhosePublicHalfIsTheJdksPublicKey() {
        String key = Signing.ED25519.newKey();
        assertThat(key).startsWith("whsk_");
        assertThat(Base64.getDecoder().decode(key.substring(5))).hasSize(64);
        assertThat(Signing.of(key)).isEqualTo(Signing.ED25519);
        assertThat(Signing.of(Signing.HMAC_SHA256.newKey())).isEqualTo(Signing.HMAC_SHA256);
        assertThat(Signing.ED25519.newKey()).isNotEqualTo(key);
        assertThat(Base64.getDecoder().decode(Ed25519Keys.publicKey(key).substring(5))).hasSize(32);
        assertThatThrownBy(() -> Ed25519Keys.publicKey("whsk_" + Base64.getEncoder().encodeToString(new byte[32])))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("AAAA");
    }
}
