package dev.herald.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Bearer tokens Herald issues: tenant keys ({@code hk_}) and portal sessions ({@code hps_}), each 32 random
 * bytes, shown once and stored only as their SHA-256. A token is high-entropy, so an unsalted fast hash is
 * enough: nobody can search a 256-bit space, and lookups stay one index probe.
 */
public final class Tokens {
    public static final String KEY_PREFIX = "hk_";
    public static final String SESSION_PREFIX = "hps_";
    /** How much of a token may be shown again (in lists), to tell tokens apart: the prefix and a few characters. */
    public static final int SHOWN = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new token: {@code prefix} and the base64url of 32 random bytes. */
    public static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The form a token is stored and looked up in: the hex of its SHA-256. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token.getBytes(StandardCharsets.UTF_8)));
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
