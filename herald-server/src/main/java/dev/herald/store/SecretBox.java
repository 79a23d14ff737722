package dev.herald.store;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets at rest: AES-256-GCM with the JDK's own crypto, applied where the store writes and reads a column,
 * so the rest of Herald sees plain text. A sealed value reads {@code enc:v1:<key id>:<base64(nonce | ciphertext
 * | tag)>}: a fresh 12-byte random nonce per value, the key id the first 8 hex digits of the key's SHA-256 (so
 * Herald knows which key opens a row), and the row and column as associated data, so a value copied to
 * another row or column does not open.
 *
 * <p>A value without the {@code enc:v1:} prefix is plain text, written before encryption was turned on; it
 * reads as it is until the re-encryption at start rewrites it. Without a current key (the default) values are
 * written in plain text, as before this class existed.
 *
 * <p>Opening costs about 2 to 4 µs (most of it {@code Cipher.getInstance} and {@code init}), and the dispatcher
 * reads every due endpoint on every claim round, many times a second under load. So the last value opened
 * per row and column is kept with its plain text; a read that finds the same stored text there costs a string
 * comparison. The cache is keyed by the associated data, never by the stored text alone, so a value copied
 * from another row is still decrypted, and refused. It holds at most {@value #MAX_OPENED} entries and is
 * emptied when full (deleted endpoints leave entries behind; the next reads fill it again).
 */
public final class SecretBox {
    static final String PREFIX = "enc:v1:";
    static final int KEY_ID_LENGTH = 8;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_OPENED = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A stored value that this Herald cannot open: its key is not configured, or the value was altered or moved. */
    public static final class UnreadableSecretException extends RuntimeException {
        UnreadableSecretException(String message) {
            super(message);
        }
    }

    private record Opened(String stored, String plaintext) {
    }

    private final String currentId;
    private final Map<String, SecretKey> keys;
    private final ConcurrentHashMap<String, Opened> opened = new ConcurrentHashMap<>();

    private SecretBox(String currentId, Map<String, SecretKey> keys) {
        this.currentId = currentId;
        this.keys = keys;
    }

    /** No encryption: values are written and read in plain text. */
    public static SecretBox plaintext() {
        return new SecretBox(null, Map.of());
    }

    /**
     * Writes under {@code current} (plain text when null); reads under it and under every key of {@code old}.
     */
    public static SecretBox of(byte[] current, List<byte[]> old) {
        if (current == null) {
            return plaintext();
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        List<byte[]> all = new ArrayList<>();
        all.add(current);
        all.addAll(old);
        for (byte[] key : all) {
            String id = keyId(key);
            SecretKey existing = keys.get(id);
            if (existing != null && !MessageDigest.isEqual(existing.getEncoded(), key)) {
                throw new ConfigException(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + ": two different keys share the key id "
                        + id + "; replace one of them with a new key");
            }
            keys.put(id, new SecretKeySpec(key, "AES"));
        }
        return new SecretBox(keyId(current), Map.copyOf(keys));
    }

    /** The first 8 hex digits of the key's SHA-256: names a key in stored values and messages, reveals nothing of it. */
    public static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, KEY_ID_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK; every JDK provides it", e);
        }
    }

    /** The id of the key new values are written under; empty when values are written in plain text. */
    public Optional<String> currentKeyId() {
        return Optional.ofNullable(currentId);
    }

    /** Whether {@code stored} is written under the current key (or, without one, in plain text); null counts as so. */
    boolean isCurrent(String stored) {
        if (stored == null) {
            return true;
        }
        return currentId == null ? !stored.startsWith(PREFIX) : stored.startsWith(PREFIX + currentId + ":");
    }

    /** The stored form of {@code plaintext} in the column that {@code context} names (row and column). */
    String seal(String context, String plaintext) {
        if (plaintext == null || currentId == null) {
            return plaintext;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, context);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to encrypt; should never happen: every JDK provides it", e);
        }
    }

    /** The plain text of what {@link #seal} stored under {@code context}; plain text written before encryption as it is. */
    String open(String context, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        Opened last = opened.get(context);
        if (last != null && last.stored().equals(stored)) {
            return last.plaintext();
        }
        String plaintext = decrypt(context, stored);
        if (opened.size() >= MAX_OPENED) {
            opened.clear();
        }
        opened.put(context, new Opened(stored, plaintext));
        return plaintext;
    }

    /**
     * Refuses to start when the database holds values under a key this Herald does not have.
     *
     * @param inUse key id of every sealed value in the database, with how many values it seals
     */
    void checkReadable(Map<String, Long> inUse) {
        for (Map.Entry<String, Long> used : inUse.entrySet()) {
            if (keys.containsKey(used.getKey())) {
                continue;
            }
            String held = currentId == null
                    ? HeraldConfig.ENCRYPTION_KEY_FILE + " is not set; set it to the file holding that key"
                    : "neither " + HeraldConfig.ENCRYPTION_KEY_FILE + " (key id " + currentId + ") nor "
                    + HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + " holds that key; add it to "
                    + HeraldConfig.ENCRYPTION_OLD_KEYS_FILE;
            throw new ConfigException("the database holds " + used.getValue() + " endpoint secret(s) encrypted under key id "
                    + used.getKey() + ", but " + held);
        }
    }

    private String decrypt(String context, String stored) {
        int idEnd = PREFIX.length() + KEY_ID_LENGTH;
        String id = stored.length() > idEnd && stored.charAt(idEnd) == ':' ? stored.substring(PREFIX.length(), idEnd) : null;
        if (id == null) {
            throw new UnreadableSecretException(context + " is not a value Herald wrote: it starts with " + PREFIX
                    + " but has no key id; it was altered");
        }
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new UnreadableSecretException(context + " is encrypted under key id " + id + ", which this Herald does not"
                    + " hold; " + (currentId == null
                    ? "set " + HeraldConfig.ENCRYPTION_KEY_FILE + " to the file holding that key"
                    : "add that key to " + HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + " (or make it " + HeraldConfig.ENCRYPTION_KEY_FILE + ")")
                    + " and restart");
        }
        try {
            byte[] raw = Base64.getDecoder().decode(stored.substring(idEnd + 1));
            if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new IllegalArgumentException("too short");
            }
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(raw, NONCE_BYTES), context);
            return new String(cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException e) {
            throw new UnreadableSecretException(context + " does not decrypt under key id " + id
                    + ": the stored value was altered or copied from another row or column");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to decrypt; should never happen: every JDK provides it", e);
        }
    }

    /** why: the associated data is part of the stored format; changing how it is made leaves every row unreadable */
    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
