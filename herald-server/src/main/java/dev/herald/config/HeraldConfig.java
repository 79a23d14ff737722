package dev.herald.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Herald's whole configuration: read once at start from the environment and {@code herald serve} flags
 * (a flag wins over its variable), validated, and immutable after.
 */
public record HeraldConfig(
        int port,
        Path dataDir,
        Optional<String> databaseUrl,
        Optional<String> adminToken,
        boolean allowPrivateTargets,
        String userAgent,
        Duration retention,
        Optional<Path> encryptionKeyFile,
        Optional<Path> encryptionOldKeysFile) {

    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_DATA_DIR = Path.of("herald-data");
    public static final String DEFAULT_USER_AGENT = "Herald-Webhook-Sender/1.0";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration MIN_RETENTION = Duration.ofHours(1);
    public static final Duration MAX_RETENTION = Duration.ofDays(3650);
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    public static final String PORT = "HERALD_PORT";
    public static final String DATA_DIR = "HERALD_DATA_DIR";
    public static final String DATABASE_URL = "HERALD_DATABASE_URL";
    public static final String ADMIN_TOKEN = "HERALD_ADMIN_TOKEN";
    public static final String ALLOW_PRIVATE_TARGETS = "HERALD_ALLOW_PRIVATE_TARGETS";
    public static final String USER_AGENT = "HERALD_USER_AGENT";
    public static final String RETENTION = "HERALD_RETENTION";
    public static final String ENCRYPTION_KEY_FILE = "HERALD_ENCRYPTION_KEY_FILE";
    public static final String ENCRYPTION_OLD_KEYS_FILE = "HERALD_ENCRYPTION_OLD_KEYS_FILE";

    private static final String PORT_RANGE = "from 0 to 65535";
    private static final String RETENTION_RANGE = "from 1h to 3650d";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    public HeraldConfig {
        if (port < 0 || port > 65535) {
            throw new ConfigException(PORT + " must be a port number " + PORT_RANGE + ", was " + port);
        }
        if (adminToken.isPresent() && adminToken.get().length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new ConfigException(ADMIN_TOKEN + " must be at least " + MIN_ADMIN_TOKEN_LENGTH
                    + " characters long; leave it unset to have one generated");
        }
        if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new ConfigException(USER_AGENT + " must be printable ASCII and not blank");
        }
        if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
            throw new ConfigException(RETENTION + " must be " + RETENTION_RANGE + ", was " + format(retention));
        }
        databaseUrl.ifPresent(HeraldConfig::checkDatabaseUrl);
        if (encryptionOldKeysFile.isPresent() && encryptionKeyFile.isEmpty()) {
            // why: old keys only read rows while they are re-encrypted under the current key; without one,
            // Herald would have to write secrets back in plain text, which no one should get by omission
            throw new ConfigException(ENCRYPTION_OLD_KEYS_FILE + " is set but " + ENCRYPTION_KEY_FILE
                    + " is not: old keys only read rows while they are re-encrypted under the current key; set "
                    + ENCRYPTION_KEY_FILE + " to the file holding the current key");
        }
    }

    /** Defaults for everything: embedded SQLite in {@code ./herald-data}. */
    public static HeraldConfig defaults() {
        return from(Map.of());
    }

    /**
     * Reads the settings from a map of {@code HERALD_*} names to values (the environment, with flags laid
     * over it); absent or blank values take their defaults.
     */
    public static HeraldConfig from(Map<String, String> settings) {
        Map<String, String> s = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                s.put(k, v.trim());
            }
        });
        return new HeraldConfig(
                s.containsKey(PORT) ? parseInt(PORT, s.get(PORT), PORT_RANGE) : DEFAULT_PORT,
                s.containsKey(DATA_DIR) ? Path.of(s.get(DATA_DIR)) : DEFAULT_DATA_DIR,
                Optional.ofNullable(s.get(DATABASE_URL)),
                Optional.ofNullable(s.get(ADMIN_TOKEN)),
                s.containsKey(ALLOW_PRIVATE_TARGETS) && parseBoolean(ALLOW_PRIVATE_TARGETS, s.get(ALLOW_PRIVATE_TARGETS)),
                s.getOrDefault(USER_AGENT, DEFAULT_USER_AGENT),
                s.containsKey(RETENTION) ? parseDuration(RETENTION, s.get(RETENTION), RETENTION_RANGE) : DEFAULT_RETENTION,
                Optional.ofNullable(s.get(ENCRYPTION_KEY_FILE)).map(Path::of),
                Optional.ofNullable(s.get(ENCRYPTION_OLD_KEYS_FILE)).map(Path::of));
    }

    public boolean usesPostgres() {
        return databaseUrl.isPresent();
    }

    public HeraldConfig withPort(int newPort) {
        return new HeraldConfig(newPort, dataDir, databaseUrl, adminToken, allowPrivateTargets, userAgent, retention,
                encryptionKeyFile, encryptionOldKeysFile);
    }

    public HeraldConfig withAdminToken(String token) {
        return new HeraldConfig(port, dataDir, databaseUrl, Optional.of(token), allowPrivateTargets, userAgent, retention,
                encryptionKeyFile, encryptionOldKeysFile);
    }

    /** Never prints secrets: the admin token and the database password are masked; key files are named, never read. */
    @Override
    public String toString() {
        return "HeraldConfig[port=" + port + ", dataDir=" + dataDir
                + ", database=" + databaseUrl.map(HeraldConfig::maskPassword).orElse("sqlite")
                + ", adminToken=" + (adminToken.isPresent() ? "***" : "generated")
                + ", allowPrivateTargets=" + allowPrivateTargets + ", userAgent=" + userAgent
                + ", retention=" + format(retention)
                + ", encryptionKeyFile=" + encryptionKeyFile.map(Path::toString).orElse("none")
                + ", encryptionOldKeysFile=" + encryptionOldKeysFile.map(Path::toString).orElse("none") + "]";
    }

    static int parseInt(String name, String value, String range) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number " + range + ", was '" + value + "'");
        }
    }

    static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name + " must be true or false, was '" + value + "'");
        };
    }

    /** Parses {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s} or {@code 500ms}. */
    static Duration parseDuration(String name, String value, String range) {
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(name + " must be a duration " + range
                    + ": a number followed by ms, s, m, h or d (like 7d), was '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Masks the credentials of a {@code postgresql://user:pw@} URL and the {@code password=} of a JDBC URL. */
    private static String maskPassword(String url) {
        return url.replaceAll("://[^@/]*@", "://***@").replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    private static String format(Duration d) {
        return d.toMillis() % 86_400_000 == 0 ? d.toDays() + "d" : d.toString();
    }

    private static void checkDatabaseUrl(String url) {
        if (!(url.startsWith("postgresql://") || url.startsWith("postgres://") || url.startsWith("jdbc:postgresql:"))) {
            throw new ConfigException(DATABASE_URL + " must be a postgresql:// or jdbc:postgresql: URL; leave it unset for embedded SQLite");
        }
    }
}
