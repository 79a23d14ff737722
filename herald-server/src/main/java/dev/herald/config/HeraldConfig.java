package dev.herald.config;

import dev.herald.tenant.Tenant;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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
        String bind,
        Path dataDir,
        Optional<String> databaseUrl,
        Optional<String> adminToken,
        boolean allowPrivateTargets,
        String userAgent,
        Duration retention,
        Duration retentionFailed,
        int maxEndpointsPerTenant,
        Optional<Path> encryptionKeyFile,
        Optional<Path> encryptionOldKeysFile,
        Optional<String> publicUrl,
        String portalFrameAncestors,
        String portalTitle,
        String portalAccent,
        Duration pauseFailingAfter,
        Optional<String> operatorTenant,
        Optional<String> otelEndpoint,
        Optional<String> proxyUrl,
        List<String> noProxy) {

    public static final int DEFAULT_PORT = 8080;
    /** Every interface: Herald is a server. */
    public static final String DEFAULT_BIND = "0.0.0.0";
    public static final Path DEFAULT_DATA_DIR = Path.of("herald-data");
    public static final String DEFAULT_USER_AGENT = "Herald-Webhook-Sender/1.0";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration MIN_RETENTION = Duration.ofHours(1);
    public static final Duration MAX_RETENTION = Duration.ofDays(3650);
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;
    public static final Duration DEFAULT_RETENTION_FAILED = Duration.ofDays(30);
    public static final int DEFAULT_MAX_ENDPOINTS_PER_TENANT = 100;
    public static final int MAX_MAX_ENDPOINTS_PER_TENANT = 10_000;
    public static final String DEFAULT_PORTAL_FRAME_ANCESTORS = "'self'";
    public static final String DEFAULT_PORTAL_TITLE = "Herald";
    public static final String DEFAULT_PORTAL_ACCENT = "#2563eb";
    public static final Duration DEFAULT_PAUSE_FAILING_AFTER = Duration.ofDays(5);
    private static final Pattern NO_PROXY_ENTRY = Pattern.compile("\\*|\\.?[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}(/\\d{1,3})?");
    private static final Pattern ACCENT = Pattern.compile("#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}");
    /** One CSP source: a keyword, a scheme, or a host source with an optional scheme, wildcard and port. */
    private static final Pattern FRAME_SOURCE = Pattern.compile(
            "'self'|'none'|https?:|(https?://)?(\\*\\.)?[A-Za-z0-9.-]+(:(\\d{1,5}|\\*))?");

    public static final String PORT = "HERALD_PORT";
    public static final String BIND = "HERALD_BIND";
    public static final String DATA_DIR = "HERALD_DATA_DIR";
    public static final String DATABASE_URL = "HERALD_DATABASE_URL";
    public static final String ADMIN_TOKEN = "HERALD_ADMIN_TOKEN";
    public static final String ADMIN_TOKEN_FILE = "HERALD_ADMIN_TOKEN_FILE";
    public static final String ALLOW_PRIVATE_TARGETS = "HERALD_ALLOW_PRIVATE_TARGETS";
    public static final String USER_AGENT = "HERALD_USER_AGENT";
    public static final String RETENTION = "HERALD_RETENTION";
    public static final String RETENTION_FAILED = "HERALD_RETENTION_FAILED";
    public static final String MAX_ENDPOINTS_PER_TENANT = "HERALD_MAX_ENDPOINTS_PER_TENANT";
    public static final String PUBLIC_URL = "HERALD_PUBLIC_URL";
    public static final String PORTAL_FRAME_ANCESTORS = "HERALD_PORTAL_FRAME_ANCESTORS";
    public static final String PORTAL_TITLE = "HERALD_PORTAL_TITLE";
    public static final String PORTAL_ACCENT = "HERALD_PORTAL_ACCENT";
    public static final String PAUSE_FAILING_AFTER = "HERALD_PAUSE_FAILING_AFTER";
    public static final String OPERATOR_TENANT = "HERALD_OPERATOR_TENANT";
    public static final String OTEL_ENDPOINT = "HERALD_OTEL_ENDPOINT";
    public static final String PROXY_URL = "HERALD_PROXY_URL";
    public static final String NO_PROXY = "HERALD_NO_PROXY";
    public static final String ENCRYPTION_KEY_FILE = "HERALD_ENCRYPTION_KEY_FILE";
    public static final String ENCRYPTION_OLD_KEYS_FILE = "HERALD_ENCRYPTION_OLD_KEYS_FILE";

    private static final String PORT_RANGE = "from 0 to 65535";
    private static final String RETENTION_RANGE = "from 1h to 3650d";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final String BIND_RULE = "an IP address (like 0.0.0.0, 127.0.0.1 or ::) or a host name that resolves";
    /** A host name (RFC 1123: letters, digits, '-' and '.') or an IP literal (IPv6 with its colons and a zone). */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9]{1,16})?");

    public HeraldConfig {
        if (port < 0 || port > 65535) {
            throw new ConfigException(PORT + " must be a port number " + PORT_RANGE + ", was '" + port + "'");
        }
        checkBind(bind);
        if (adminToken.isPresent() && adminToken.get().length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new ConfigException(ADMIN_TOKEN + " must be at least " + MIN_ADMIN_TOKEN_LENGTH
                    + " characters long; leave it unset to have one generated");
        }
        if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new ConfigException(USER_AGENT + " must be printable ASCII and not blank");
        }
        if (outside(retention, MIN_RETENTION, MAX_RETENTION)) {
            throw new ConfigException(RETENTION + " must be " + RETENTION_RANGE + ", was '" + format(retention) + "'");
        }
        if (outside(retentionFailed, MIN_RETENTION, MAX_RETENTION)) {
            throw new ConfigException(RETENTION_FAILED + " must be " + RETENTION_RANGE + ", was '" + format(retentionFailed) + "'");
        }
        if (maxEndpointsPerTenant < 1 || maxEndpointsPerTenant > MAX_MAX_ENDPOINTS_PER_TENANT) {
            throw new ConfigException(MAX_ENDPOINTS_PER_TENANT + " must be a whole number from 1 to "
                    + MAX_MAX_ENDPOINTS_PER_TENANT + ", was '" + maxEndpointsPerTenant + "'");
        }
        databaseUrl.ifPresent(HeraldConfig::checkDatabaseUrl);
        if (encryptionOldKeysFile.isPresent() && encryptionKeyFile.isEmpty()) {
            // why: old keys only read rows while they are re-encrypted under the current key; without one,
            // Herald would have to write secrets back in plain text, which no one should get by omission
            throw new ConfigException(ENCRYPTION_OLD_KEYS_FILE + " is set but " + ENCRYPTION_KEY_FILE
                    + " is not: old keys only read rows while they are re-encrypted under the current key; set "
                    + ENCRYPTION_KEY_FILE + " to the file holding the current key");
        }
        publicUrl.ifPresent(url -> checkHttpUrl(PUBLIC_URL, url, false));
        checkFrameAncestors(portalFrameAncestors);
        if (portalTitle.isBlank() || portalTitle.length() > 64 || portalTitle.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException(PORTAL_TITLE + " must be 1 to 64 characters without control characters, was '" + portalTitle + "'");
        }
        if (!ACCENT.matcher(portalAccent).matches()) {
            throw new ConfigException(PORTAL_ACCENT + " must be a colour as #rgb or #rrggbb, was '" + portalAccent + "'");
        }
        if (!pauseFailingAfter.isZero() && outside(pauseFailingAfter, Duration.ofMinutes(1), MAX_RETENTION)) {
            throw new ConfigException(PAUSE_FAILING_AFTER + " must be 0 (never) or from 1m to 3650d, was '"
                    + format(pauseFailingAfter) + "'");
        }
        operatorTenant.ifPresent(t -> {
            if (!Tenant.ID.matcher(t).matches()) {
                throw new ConfigException(OPERATOR_TENANT + " must be a tenant id: it " + Tenant.ID_RULE + "; was '" + t + "'");
            }
        });
        otelEndpoint.ifPresent(url -> checkHttpUrl(OTEL_ENDPOINT, url, false));
        proxyUrl.ifPresent(url -> checkHttpUrl(PROXY_URL, url, true));
        for (String host : noProxy) {
            if (!NO_PROXY_ENTRY.matcher(host).matches()) {
                throw new ConfigException(NO_PROXY + " must be comma-separated host names, .domains or IP addresses;"
                        + " '" + host + "' is none of those");
            }
            checkBlock(host);
        }
        noProxy = List.copyOf(noProxy);
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
                s.containsKey(PORT) ? parsePort(s.get(PORT)) : DEFAULT_PORT,
                s.getOrDefault(BIND, DEFAULT_BIND),
                s.containsKey(DATA_DIR) ? Path.of(s.get(DATA_DIR)) : DEFAULT_DATA_DIR,
                Optional.ofNullable(s.get(DATABASE_URL)),
                adminToken(s),
                s.containsKey(ALLOW_PRIVATE_TARGETS) && parseBoolean(ALLOW_PRIVATE_TARGETS, s.get(ALLOW_PRIVATE_TARGETS)),
                s.getOrDefault(USER_AGENT, DEFAULT_USER_AGENT),
                s.containsKey(RETENTION)
                        ? parseDuration(RETENTION, s.get(RETENTION), RETENTION_RANGE, MIN_RETENTION, MAX_RETENTION)
                        : DEFAULT_RETENTION,
                s.containsKey(RETENTION_FAILED)
                        ? parseDuration(RETENTION_FAILED, s.get(RETENTION_FAILED), RETENTION_RANGE, MIN_RETENTION, MAX_RETENTION)
                        : DEFAULT_RETENTION_FAILED,
                s.containsKey(MAX_ENDPOINTS_PER_TENANT)
                        ? parseInt(MAX_ENDPOINTS_PER_TENANT, s.get(MAX_ENDPOINTS_PER_TENANT), 1, MAX_MAX_ENDPOINTS_PER_TENANT)
                        : DEFAULT_MAX_ENDPOINTS_PER_TENANT,
                Optional.ofNullable(s.get(ENCRYPTION_KEY_FILE)).map(Path::of),
                Optional.ofNullable(s.get(ENCRYPTION_OLD_KEYS_FILE)).map(Path::of),
                Optional.ofNullable(s.get(PUBLIC_URL)).map(HeraldConfig::withoutTrailingSlash),
                s.getOrDefault(PORTAL_FRAME_ANCESTORS, DEFAULT_PORTAL_FRAME_ANCESTORS),
                s.getOrDefault(PORTAL_TITLE, DEFAULT_PORTAL_TITLE),
                s.getOrDefault(PORTAL_ACCENT, DEFAULT_PORTAL_ACCENT),
                s.containsKey(PAUSE_FAILING_AFTER) ? parsePauseFailingAfter(s.get(PAUSE_FAILING_AFTER)) : DEFAULT_PAUSE_FAILING_AFTER,
                Optional.ofNullable(s.get(OPERATOR_TENANT)),
                Optional.ofNullable(s.get(OTEL_ENDPOINT)),
                Optional.ofNullable(s.get(PROXY_URL)),
                s.containsKey(NO_PROXY) ? List.of(s.get(NO_PROXY).split("\\s*,\\s*")) : List.of());
    }

    /**
     * The admin token from {@code HERALD_ADMIN_TOKEN} or the file {@code HERALD_ADMIN_TOKEN_FILE} names (one line;
     * the trailing newline is not part of it), so the token need not appear in {@code ps} or the environment.
     */
    private static Optional<String> adminToken(Map<String, String> s) {
        String file = s.get(ADMIN_TOKEN_FILE);
        if (file == null) {
            return Optional.ofNullable(s.get(ADMIN_TOKEN));
        }
        if (s.containsKey(ADMIN_TOKEN)) {
            throw new ConfigException(ADMIN_TOKEN + " and " + ADMIN_TOKEN_FILE + " are both set; set only one of them");
        }
        String token;
        try {
            token = Files.readString(Path.of(file), StandardCharsets.UTF_8).replaceFirst("\\r?\\n$", "");
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new ConfigException(ADMIN_TOKEN_FILE + " must name a readable file holding the admin token; cannot read '"
                    + file + "': " + describe(e));
        }
        if (token.length() < MIN_ADMIN_TOKEN_LENGTH || token.strip().length() != token.length() || token.contains("\n")) {
            throw new ConfigException(ADMIN_TOKEN_FILE + ": '" + file + "' must hold one line of at least "
                    + MIN_ADMIN_TOKEN_LENGTH + " characters, with no spaces around it (the token itself is not shown)");
        }
        return Optional.of(token);
    }

    private static String describe(Exception e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException _ -> "no such file";
            case java.nio.file.AccessDeniedException _ -> "permission denied";
            case java.nio.charset.MalformedInputException _ -> "it is not UTF-8 text";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    public boolean usesPostgres() {
        return databaseUrl.isPresent();
    }

    /** The URL partners reach this Herald at: the configured one, or {@code http://localhost:<port>}. */
    public String publicUrl(int boundPort) {
        return publicUrl.orElse("http://localhost:" + boundPort);
    }

    /** Never prints secrets: the admin token and the database password are masked; key files are named, never read. */
    @Override
    public String toString() {
        return "HeraldConfig[port=" + port + ", bind=" + bind + ", dataDir=" + dataDir
                + ", database=" + databaseUrl.map(HeraldConfig::maskPassword).orElse("sqlite")
                + ", adminToken=" + (adminToken.isPresent() ? "***" : "generated")
                + ", allowPrivateTargets=" + allowPrivateTargets + ", userAgent=" + userAgent
                + ", retention=" + format(retention) + ", retentionFailed=" + format(retentionFailed)
                + ", maxEndpointsPerTenant=" + maxEndpointsPerTenant
                + ", encryptionKeyFile=" + encryptionKeyFile.map(Path::toString).orElse("none")
                + ", encryptionOldKeysFile=" + encryptionOldKeysFile.map(Path::toString).orElse("none")
                + ", publicUrl=" + publicUrl.orElse("default") + ", portalFrameAncestors=" + portalFrameAncestors
                + ", portalTitle=" + portalTitle + ", portalAccent=" + portalAccent
                + ", pauseFailingAfter=" + (pauseFailingAfter.isZero() ? "never" : format(pauseFailingAfter))
                + ", operatorTenant=" + operatorTenant.orElse("none") + ", otelEndpoint=" + otelEndpoint.orElse("none")
                + ", proxy=" + proxyUrl.map(HeraldConfig::maskPassword).orElse("none") + ", noProxy=" + noProxy + "]";
    }

    private static int parsePort(String value) {
        int port = parseInt(PORT, value, PORT_RANGE);
        if (port < 0 || port > 65535) {
            throw new ConfigException(PORT + " must be a port number " + PORT_RANGE + ", was '" + value + "'");
        }
        return port;
    }

    static int parseInt(String name, String value, String range) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number " + range + ", was '" + value + "'");
        }
    }

    /** A whole number within [min, max]; the message shows the value as it was typed. */
    static int parseInt(String name, String value, int min, int max) {
        String range = "from " + min + " to " + max;
        int n = parseInt(name, value, range);
        if (n < min || n > max) {
            throw new ConfigException(name + " must be a whole number " + range + ", was '" + value + "'");
        }
        return n;
    }

    static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name + " must be true or false, was '" + value + "'");
        };
    }

    /** Parses {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s} or {@code 500ms} within [min, max]. */
    static Duration parseDuration(String name, String value, String range, Duration min, Duration max) {
        Duration d = parseDuration(name, value, range);
        if (outside(d, min, max)) {
            // why: checked here, not only in the record, so the message shows the value as it was typed
            throw new ConfigException(name + " must be " + range + ", was '" + value + "'");
        }
        return d;
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

    private static boolean outside(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 || d.compareTo(max) > 0;
    }

    /** A duration the way a user writes one: {@code 7d}, {@code 10m}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        for (var unit : new Object[][] {{86_400_000L, "d"}, {3_600_000L, "h"}, {60_000L, "m"}, {1_000L, "s"}}) {
            long size = (Long) unit[0];
            if (ms != 0 && ms % size == 0) {
                return ms / size + (String) unit[1];
            }
        }
        return ms + "ms";
    }

    /** An IP literal, or a host name that resolves: what Jetty can listen on. */
    private static void checkBind(String bind) {
        if (bind == null || !HOST.matcher(bind).matches()) {
            throw new ConfigException(BIND + " must be " + BIND_RULE + ", was '" + bind + "'");
        }
        try {
            InetAddress.getByName(bind);
        } catch (UnknownHostException | SecurityException e) {
            throw new ConfigException(BIND + " must be " + BIND_RULE + "; '" + bind + "' "
                    + (bind.contains(":") ? "is not a valid IP address" : "does not resolve"));
        }
    }

    private static Duration parsePauseFailingAfter(String value) {
        return value.equals("0") ? Duration.ZERO : parseDuration(PAUSE_FAILING_AFTER, value, "0 (never) or from 1m to 3650d",
                Duration.ofMinutes(1), MAX_RETENTION);
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** An absolute http:// or https:// URL with a host, no query or fragment; credentials only where allowed. */
    private static void checkHttpUrl(String name, String url, boolean credentialsAllowed) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(name + " must be an http:// or https:// URL, was '" + maskPassword(url) + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new ConfigException(name + " must be an http:// or https:// URL with a host, was '" + maskPassword(url) + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(name + " must not have a query or a fragment, was '" + maskPassword(url) + "'");
        }
        if (!credentialsAllowed && uri.getRawUserInfo() != null) {
            throw new ConfigException(name + " must not carry credentials, was '" + maskPassword(url) + "'");
        }
    }

    /** A {@code HERALD_NO_PROXY} entry with a /prefix must be an IP block whose prefix fits its address. */
    private static void checkBlock(String entry) {
        int slash = entry.indexOf('/');
        if (slash < 0) {
            return;
        }
        String address = entry.substring(0, slash);
        int bits = Integer.parseInt(entry.substring(slash + 1));
        boolean v4 = address.chars().allMatch(c -> c == '.' || Character.isDigit(c)) && address.split("\\.", -1).length == 4;
        boolean v6 = address.indexOf(':') >= 0;
        try {
            if ((v4 || v6) && InetAddress.getByName(address) != null && bits <= (v4 ? 32 : 128)) {
                return; // why: a literal never reaches a resolver, so this does no DNS
            }
        } catch (UnknownHostException e) {
            // reported below
        }
        throw new ConfigException(NO_PROXY + " entries with a /prefix must be IP blocks, like 10.0.0.0/8 or fd00::/8;"
                + " '" + entry + "' is not");
    }

    /** A Content-Security-Policy source list for frame-ancestors: nothing that could end the directive. */
    private static void checkFrameAncestors(String value) {
        for (String source : value.trim().split("\\s+")) {
            if (!FRAME_SOURCE.matcher(source).matches()) {
                throw new ConfigException(PORTAL_FRAME_ANCESTORS + " must be a space-separated list of CSP sources"
                        + " ('self', 'none', https://partner.example, https://*.example.com:443), was '" + value + "'");
            }
        }
    }

    private static void checkDatabaseUrl(String url) {
        if (!(url.startsWith("postgresql://") || url.startsWith("postgres://") || url.startsWith("jdbc:postgresql:"))) {
            throw new ConfigException(DATABASE_URL + " must be a postgresql:// or jdbc:postgresql: URL; leave it unset for embedded SQLite");
        }
    }
}
