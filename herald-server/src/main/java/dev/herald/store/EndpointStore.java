package dev.herald.store;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** Endpoints, their secrets and TLS material. Every query is scoped to a tenant. */
public final class EndpointStore {
    static final String COLUMNS = "id, tenant_id, url, description, event_types, format, batch_max_events,"
            + " batch_window_ms, retry_policy, retry_max_attempts, retry_horizon_ms, retry_initial_delay_ms, retry_on,"
            + " headers, secret, previous_secret, previous_secret_expires_at, tls_client_certificate, tls_client_key,"
            + " tls_ca_certificates, timeout_ms, max_concurrency, status, paused_reason, created_at, updated_at";

    private final Database db;

    public EndpointStore(Database db) {
        this.db = db;
    }

    /** Stores the endpoint; false when its tenant has {@code maxPerTenant} endpoints already. */
    public boolean create(Endpoint e, int maxPerTenant) {
        EndpointSpec s = e.spec();
        return db.inTransaction(c -> {
            // why: the tenant row is locked first, so two creates at once cannot both pass the count (PostgreSQL;
            // SQLite's one writer serialises them anyway)
            Sql.list(c, "SELECT id FROM tenants WHERE id = ?" + db.dialect().forUpdate(), rs -> rs.getString(1), e.tenantId());
            long existing = Sql.one(c, "SELECT COUNT(*) FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL",
                    rs -> rs.getLong(1), e.tenantId()).orElse(0L);
            if (existing >= maxPerTenant) {
                return false;
            }
            insert(c, e, s);
            return true;
        });
    }

    /** Stores the endpoint whatever its tenant already has (tests and tools). */
    public void create(Endpoint e) {
        db.inTransaction(c -> insert(c, e, e.spec()));
    }

    private static int insert(java.sql.Connection c, Endpoint e, EndpointSpec s) throws SQLException {
        return Sql.update(c, "INSERT INTO endpoints (" + COLUMNS + ")"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.id(), e.tenantId(), s.url(), s.description(), typesJson(s.eventTypes()), s.format().toString(),
                batchMax(s), batchWindow(s), s.retry().policy().toString(), s.retry().maxAttempts(),
                millis(s.retry().horizon()), millis(s.retry().initialDelay()), s.retry().on().toString(),
                headersJson(s.headers()), e.secret(), e.previousSecret(), epoch(e.previousSecretExpiresAt()),
                tls(s).clientCertificate(), tls(s).clientKey(), tls(s).caCertificates(),
                s.timeout().toMillis(), s.maxConcurrency(), s.status().toString(), e.pausedReason(),
                e.createdAt().toEpochMilli(), e.updatedAt().toEpochMilli());
    }

    public Optional<Endpoint> get(String tenantId, String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM endpoints WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                EndpointStore::endpoint, tenantId, id));
    }

    public Page<Endpoint> list(String tenantId, String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c, "SELECT " + COLUMNS + " FROM endpoints"
                        + " WHERE tenant_id = ? AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
                EndpointStore::endpoint, tenantId, after == null ? "" : after, limit + 1), limit, Endpoint::id));
    }

    /**
     * Replaces the tenant's settings. Resuming (status back to active) clears the pause reason; pausing by
     * hand records none.
     */
    public Optional<Endpoint> update(String tenantId, String id, EndpointSpec s, Instant now) {
        int n = db.inTransaction(c -> Sql.update(c, "UPDATE endpoints SET url = ?, description = ?, event_types = ?,"
                        + " format = ?, batch_max_events = ?, batch_window_ms = ?, retry_policy = ?, retry_max_attempts = ?,"
                        + " retry_horizon_ms = ?, retry_initial_delay_ms = ?, retry_on = ?, headers = ?,"
                        + " tls_client_certificate = ?, tls_client_key = ?, tls_ca_certificates = ?, timeout_ms = ?,"
                        + " max_concurrency = ?, paused_reason = CASE WHEN ? = status THEN paused_reason ELSE NULL END,"
                        + " status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                s.url(), s.description(), typesJson(s.eventTypes()), s.format().toString(), batchMax(s), batchWindow(s),
                s.retry().policy().toString(), s.retry().maxAttempts(), millis(s.retry().horizon()),
                millis(s.retry().initialDelay()), s.retry().on().toString(), headersJson(s.headers()),
                tls(s).clientCertificate(), tls(s).clientKey(), tls(s).caCertificates(), s.timeout().toMillis(),
                s.maxConcurrency(), s.status().toString(), s.status().toString(), now.toEpochMilli(), tenantId, id));
        return n == 1 ? get(tenantId, id) : Optional.empty();
    }

    /**
     * Deletes the endpoint: at once it is gone for the API, receives no new events and sends nothing; its queue
     * and deliveries are purged afterwards in small transactions ({@link DeletionStore}).
     */
    public boolean delete(String tenantId, String id, Instant now) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE endpoints SET deleted_at = ?, status = 'paused',"
                + " paused_reason = 'the endpoint was deleted' WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                now.toEpochMilli(), tenantId, id) == 1);
    }

    /** Makes {@code secret} current; the old one keeps signing until {@code overlapUntil}. */
    public Optional<Endpoint> rotateSecret(String tenantId, String id, String secret, Instant now, Instant overlapUntil) {
        int n = db.inTransaction(c -> Sql.update(c, "UPDATE endpoints SET previous_secret = secret,"
                        + " previous_secret_expires_at = ?, secret = ?, updated_at = ? WHERE tenant_id = ? AND id = ?"
                        + " AND deleted_at IS NULL",
                overlapUntil.toEpochMilli(), secret, now.toEpochMilli(), tenantId, id));
        return n == 1 ? get(tenantId, id) : Optional.empty();
    }

    static Endpoint endpoint(ResultSet rs) throws SQLException {
        Format format = Format.valueOf(rs.getString("format").toUpperCase(Locale.ROOT));
        RetryPolicy retry = new RetryPolicy(
                RetryPolicy.Kind.valueOf(rs.getString("retry_policy").toUpperCase(Locale.ROOT)),
                rs.getInt("retry_max_attempts"),
                duration(Sql.nullableLong(rs, "retry_horizon_ms")),
                duration(Sql.nullableLong(rs, "retry_initial_delay_ms")),
                "5xx".equals(rs.getString("retry_on")) ? RetryPolicy.RetryOn.SERVER_ERRORS : RetryPolicy.RetryOn.NON_2XX);
        String cert = rs.getString("tls_client_certificate");
        String key = rs.getString("tls_client_key");
        String cas = rs.getString("tls_ca_certificates");
        EndpointSpec spec = new EndpointSpec(
                rs.getString("url"),
                rs.getString("description"),
                types(rs.getString("event_types")),
                format,
                format == Format.BATCH ? new Batching(rs.getInt("batch_max_events"), Duration.ofMillis(rs.getLong("batch_window_ms"))) : null,
                retry,
                headers(rs.getString("headers")),
                cert == null && cas == null ? null : new TlsSettings(cert, key, cas),
                Duration.ofMillis(rs.getLong("timeout_ms")),
                rs.getInt("max_concurrency"),
                Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)));
        Long previousExpires = Sql.nullableLong(rs, "previous_secret_expires_at");
        return new Endpoint(
                rs.getString("id"),
                rs.getString("tenant_id"),
                spec,
                rs.getString("secret"),
                rs.getString("previous_secret"),
                previousExpires == null ? null : Instant.ofEpochMilli(previousExpires),
                rs.getString("paused_reason"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    static List<String> types(String json) {
        List<String> out = new ArrayList<>();
        Json.parse(json).forEach(n -> out.add(n.stringValue()));
        return List.copyOf(out);
    }

    private static Map<String, String> headers(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode n = Json.parse(json);
        n.propertyNames().forEach(name -> out.put(name, n.get(name).stringValue()));
        return out;
    }

    private static String typesJson(List<String> types) {
        var array = Json.array();
        types.forEach(array::add);
        return Json.write(array);
    }

    private static String headersJson(Map<String, String> headers) {
        var object = Json.object();
        headers.forEach(object::put);
        return Json.write(object);
    }

    private static TlsSettings tls(EndpointSpec s) {
        return s.tls() == null ? new TlsSettings(null, null, null) : s.tls();
    }

    private static int batchMax(EndpointSpec s) {
        return s.batch() == null ? Batching.DEFAULT_MAX_EVENTS : s.batch().maxEvents();
    }

    private static long batchWindow(EndpointSpec s) {
        return (s.batch() == null ? Batching.DEFAULT_WINDOW : s.batch().window()).toMillis();
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static Long epoch(Instant i) {
        return i == null ? null : i.toEpochMilli();
    }

    private static Duration duration(Long millis) {
        return millis == null ? null : Duration.ofMillis(millis);
    }
}
