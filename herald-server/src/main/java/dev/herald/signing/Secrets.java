package dev.herald.signing;

import dev.herald.validation.Invalid;
import java.security.SecureRandom;
import java.util.Base64;

/** Endpoint signing secrets: {@code whsec_} and the base64 of 24 to 64 random bytes (Standard Webhooks). */
public final class Secrets {
    public static final String PREFIX = "whsec_";
    public static final int GENERATED_BYTES = 32;
    public static final int MIN_BYTES = 24;
    public static final int MAX_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    public static String generate() {
        byte[] key = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The HMAC key: the base64-decoded part after {@code whsec_}. */
    public static byte[] key(String secret) {
        return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    }

    /** Checks a secret a user supplied; {@code field} names it in the rejection. */
    public static String validate(String field, String secret) {
        String rule = "must be \"whsec_\" followed by the base64 of " + MIN_BYTES + " to " + MAX_BYTES + " random bytes";
        if (!secret.startsWith(PREFIX)) {
            throw new Invalid(field, rule);
        }
        byte[] key;
        try {
            key = key(secret);
        } catch (IllegalArgumentException e) {
            throw new Invalid(field, rule);
        }
        if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw new Invalid(field, rule + " (it decodes to " + key.length + " bytes)");
        }
        return secret;
    }
}
