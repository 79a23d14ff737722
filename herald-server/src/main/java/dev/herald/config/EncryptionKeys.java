package dev.herald.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The keys named by {@code HERALD_ENCRYPTION_KEY_FILE} (one) and {@code HERALD_ENCRYPTION_OLD_KEYS_FILE} (one
 * a line), read and checked once at start. A key is the base64 of 32 random bytes, as
 * {@code openssl rand -base64 32} prints it. No message ever holds a key or a piece of one.
 */
public final class EncryptionKeys {
    public static final int KEY_BYTES = 32;
    /** A key file is one short line; anything much larger is the wrong file. */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final String RULE = "the base64 of " + KEY_BYTES + " random bytes (make one with: openssl rand -base64 32)";

    private final byte[] current;
    private final List<byte[]> old;

    private EncryptionKeys(byte[] current, List<byte[]> old) {
        this.current = current;
        this.old = old;
    }

    /** The configured keys; none when {@code HERALD_ENCRYPTION_KEY_FILE} is unset. */
    public static EncryptionKeys read(HeraldConfig config) {
        if (config.encryptionKeyFile().isEmpty()) {
            return new EncryptionKeys(null, List.of());
        }
        Path file = config.encryptionKeyFile().get();
        List<String> lines = keyLines(HeraldConfig.ENCRYPTION_KEY_FILE, file);
        if (lines.size() != 1) {
            throw new ConfigException(HeraldConfig.ENCRYPTION_KEY_FILE + ": " + file + " must hold one line, " + RULE
                    + "; it holds " + lines.size());
        }
        byte[] current = decode(HeraldConfig.ENCRYPTION_KEY_FILE, file + "", lines.getFirst());
        List<byte[]> old = new ArrayList<>();
        if (config.encryptionOldKeysFile().isPresent()) {
            Path oldFile = config.encryptionOldKeysFile().get();
            List<String> oldLines = keyLines(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, oldFile);
            if (oldLines.isEmpty()) {
                throw new ConfigException(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + ": " + oldFile + " holds no key;"
                        + " put one old key a line, " + RULE + ", or unset it");
            }
            for (int i = 0; i < oldLines.size(); i++) {
                old.add(decode(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, "key " + (i + 1) + " of " + oldFile, oldLines.get(i)));
            }
        }
        return new EncryptionKeys(current, List.copyOf(old));
    }

    /** The key that encrypts what is written; empty when encryption is off. */
    public Optional<byte[]> current() {
        return Optional.ofNullable(current).map(byte[]::clone);
    }

    /** Keys that only read rows written under them. */
    public List<byte[]> old() {
        return old.stream().map(byte[]::clone).toList();
    }

    @Override
    public String toString() {
        return "EncryptionKeys[current=" + (current == null ? "none" : "set") + ", old=" + old.size() + "]";
    }

    /** The file's non-blank lines, trimmed; lines starting with {@code #} are comments. */
    private static List<String> keyLines(String setting, Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(setting + ": " + file + (Files.exists(file) ? " is not a file" : " does not exist")
                        + "; it must hold " + RULE);
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(setting + ": " + file + " is " + Files.size(file) + " bytes; it must hold " + RULE);
            }
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    lines.add(trimmed);
                }
            }
            return lines;
        } catch (IOException e) {
            // why: an IOException's message names the file and the cause, never its content
            throw new ConfigException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); Herald's user must be able to read it");
        }
    }

    private static byte[] decode(String setting, String what, String line) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            // why: the decoder's message quotes the offending character, a piece of the key
            throw new ConfigException(setting + ": " + what + " is not base64; it must be " + RULE);
        }
        if (key.length != KEY_BYTES) {
            throw new ConfigException(setting + ": " + what + " decodes to " + key.length + " bytes; it must be " + RULE);
        }
        return key;
    }
}
