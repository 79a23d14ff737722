package dev.herald.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures over {@code id + "." + timestamp + "." + body}: {@code v1,<base64 HMAC-SHA256>} for a
 * {@code whsec_} secret, {@code v1a,<base64 ed25519 signature>} for a {@code whsk_} private key. One per live key,
 * separated by spaces, so a receiver keeps verifying while a key rotates or the endpoint changes scheme.
 */
public final class Signer {
    private Signer() {
    }

    /** @param keys the endpoint's live signing keys, as stored ({@code whsec_...} or {@code whsk_...}) */
    public static String sign(List<String> keys, String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String key : keys) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            if (Signing.of(key) == Signing.ED25519) {
                out.append("v1a,").append(Base64.getEncoder().encodeToString(Ed25519Keys.sign(key, prefix, body)));
            } else {
                out.append("v1,").append(Base64.getEncoder().encodeToString(hmac(Secrets.key(key), prefix, body)));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(byte[] key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is missing or refused a key; every JDK provides it", e);
        }
    }
}
