package dev.herald.config;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token: {@code HERALD_ADMIN_TOKEN} when set; otherwise generated on first start, stored in the
 * data directory readable by its owner only, and printed once, on the start that generated it.
 */
public final class AdminToken {
    public static final String FILE = "admin-token";

    private AdminToken() {
    }

    public static String resolve(HeraldConfig config, PrintStream out) {
        if (config.adminToken().isPresent()) {
            return config.adminToken().get();
        }
        Path file = config.dataDir().resolve(FILE);
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (token.length() < HeraldConfig.MIN_ADMIN_TOKEN_LENGTH) {
                    throw new ConfigException(file + " does not hold a valid admin token; delete it to have a new one generated");
                }
                out.println("Admin token: stored in " + file.toAbsolutePath());
                return token;
            }
            Files.createDirectories(config.dataDir());
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String token = "hadm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            write(file, token);
            out.println("Generated the admin token (shown once; kept in " + file.toAbsolutePath() + "):");
            out.println();
            out.println("    " + token);
            out.println();
            out.println("Use it like this:");
            out.println("    curl -H 'Authorization: Bearer " + token + "' http://localhost:" + config.port() + "/v1/tenants");
            out.println();
            return token;
        } catch (IOException e) {
            throw new ConfigException("HERALD_DATA_DIR: cannot keep the admin token in " + file + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String token) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // why: not a POSIX file system (Windows); its ACLs apply instead
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another Herald created it at the same moment; start again", e);
        }
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
