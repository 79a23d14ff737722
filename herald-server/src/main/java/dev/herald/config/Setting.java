package dev.herald.config;

import java.util.List;

/**
 * Every setting Herald reads, in one table: its environment variable, its {@code herald serve} flag and what it
 * does. {@link HeraldConfig#from} reads the variables; {@code ServeCommand} makes one flag of each row, so a new
 * setting is one row here and one field of the record, never a third place to remember.
 */
public record Setting(String variable, String flag, String help, boolean switchLike) {

    public static final List<Setting> ALL = List.of(
            new Setting(HeraldConfig.PORT, "--port", "HTTP port of the API, 0 to 65535 (0 picks a free one) [default 8080]"),
            new Setting(HeraldConfig.BIND, "--bind", "The address the API listens on: an IP address or a host name [default 0.0.0.0]"),
            new Setting(HeraldConfig.DATA_DIR, "--data-dir", "Where SQLite and the admin token live [default ./herald-data]"),
            new Setting(HeraldConfig.DATABASE_URL, "--database-url", "postgresql:// URL; when set PostgreSQL is used instead of SQLite"),
            new Setting(HeraldConfig.ADMIN_TOKEN, "--admin-token", "The admin bearer token, at least 16 characters [default generated]"),
            new Setting(HeraldConfig.ADMIN_TOKEN_FILE, "--admin-token-file", "A file holding the admin token; unlike --admin-token, not visible in ps"),
            new Setting(HeraldConfig.ALLOW_PRIVATE_TARGETS, "--allow-private-targets",
                    "Allow endpoints on loopback and private addresses [default false]", true),
            new Setting(HeraldConfig.USER_AGENT, "--user-agent", "User-Agent of deliveries [default Herald-Webhook-Sender/1.0]"),
            new Setting(HeraldConfig.RETENTION, "--retention", "How long delivered data and events are kept, like 7d or 12h [default 7d]"),
            new Setting(HeraldConfig.RETENTION_FAILED, "--retention-failed", "How long failed deliveries are kept [default 30d]"),
            new Setting(HeraldConfig.MAX_ENDPOINTS_PER_TENANT, "--max-endpoints-per-tenant",
                    "Endpoints a tenant may have, 1 to 10000 [default 100]"),
            new Setting(HeraldConfig.ENCRYPTION_KEY_FILE, "--encryption-key-file",
                    "File holding the base64 of a 32-byte key; endpoint secrets and TLS keys are stored encrypted under it"),
            new Setting(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, "--encryption-old-keys-file",
                    "File with retired keys, one a line, used only to read rows while they are re-encrypted"),
            new Setting(HeraldConfig.PUBLIC_URL, "--public-url",
                    "The URL partners reach Herald at, for portal links [default http://localhost:<port>]"),
            new Setting(HeraldConfig.PORTAL_FRAME_ANCESTORS, "--portal-frame-ancestors",
                    "Who may embed the portal in a frame: a CSP source list [default 'self']"),
            new Setting(HeraldConfig.PORTAL_TITLE, "--portal-title", "The portal's title, for a platform's own branding [default Herald]"),
            new Setting(HeraldConfig.PORTAL_ACCENT, "--portal-accent", "The portal's accent colour, #rgb or #rrggbb [default #2563eb]"),
            new Setting(HeraldConfig.PAUSE_FAILING_AFTER, "--pause-failing-after",
                    "Pause an endpoint whose attempts all failed for this long; 0 never [default 5d]"),
            new Setting(HeraldConfig.OPERATOR_TENANT, "--operator-tenant",
                    "The tenant that receives Herald's own events (herald.endpoint.paused, herald.delivery.failed)"),
            new Setting(HeraldConfig.OTEL_ENDPOINT, "--otel-endpoint", "OTLP/HTTP endpoint for traces; unset: no tracing"),
            new Setting(HeraldConfig.PROXY_URL, "--proxy-url", "HTTP CONNECT proxy for deliveries, http://[user:password@]host:port"),
            new Setting(HeraldConfig.NO_PROXY, "--no-proxy", "Hosts reached without the proxy: comma-separated names, .domains, IP addresses, CIDR blocks or *"));

    public Setting(String variable, String flag, String help) {
        this(variable, flag, help, false);
    }
}
