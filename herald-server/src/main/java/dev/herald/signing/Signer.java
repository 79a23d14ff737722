package dev.herald.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>},
 * one per live secret, separated by spaces, so a receiver keeps verifying while a secret rotates.
 */
public final class Signer {
    private Signer() {
    }

    public static String sign(List<String> secrets, String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String secret : secrets) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append("v1,").append(Base64.getEncoder().encodeToString(hmac(Secrets.key(secret), prefix, body)));
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
