package dev.herald.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Tenant keys are 32 random bytes, shown once and stored only as their SHA-256. A key is high-entropy, so
 * an unsalted fast hash is enough: nobody can search a 256-bit space, and lookups stay one index probe.
 */
public final class TenantKeys {
    public static final String PREFIX = "hk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TenantKeys() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The SHA-256 of a secret, for comparing with {@link MessageDigest#isEqual}: digests of equal length
     * compared in constant time reveal neither where two secrets differ nor how long they are.
     */
    public static byte[] digest(String secret) {
        return sha256(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK; every JDK must provide it", e);
        }
    }
}
