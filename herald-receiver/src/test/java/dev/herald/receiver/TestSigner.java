package dev.herald.receiver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs as a Standard Webhooks sender does, independently of the code under test. */
final class TestSigner {
    private TestSigner() {
    }

    static byte[] content(String id, long timestamp, String body) {
        return (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code v1,<base64 HMAC-SHA256>} with the key after {@code whsec_}. */
    static String v1(String secret, String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(content(id, timestamp, body)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code v1a,<base64 ed25519 signature>}. */
    static String v1a(PrivateKey key, String id, long timestamp, String body) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(content(id, timestamp, body));
            return "v1a," + Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code whpk_} and the raw 32 bytes: the tail of the key's X.509 encoding (RFC 8410). */
    static String whpk(KeyPair pair) {
        byte[] x509 = pair.getPublic().getEncoded();
        return "whpk_" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    }
}
