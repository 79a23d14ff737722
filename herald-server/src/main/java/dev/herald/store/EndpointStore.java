package dev.herald.store;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.json.Json;
import dev.herald.signing.Signing;
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

/**
 * Endpoints, their signing keys and TLS material. Every query is scoped to a tenant. The signing keys ({@code
 * secret} and {@code previous_secret}: HMAC secrets or ed25519 private keys) and the TLS private key pass through the
 * {@link SecretBox} on their way in and out: encrypted in the database when a key is configured, plain text to
 * every caller.
 */
public final class EndpointStore {
    static final String COLUMNS = "id, tenant_id, url, description, event_types, format, batch_max_events,"
            + " batch_window_ms, retry_policy, retry_max_attempts, retry_horizon_ms, retry_initial_delay_ms, retry_on,"
            + " headers, secret, previous_secret, previous_secret_expires_at, tls_client_certificate, tls_client_key,"
            + " tls_ca_certificates, timeout_ms, max_concurrency, rate_limit_per_s, ordering, status, paused_reason, created_at,"
            + " updated_at";

    /**
     * The columns that hold secrets: sealed by the {@link SecretBox} when a key is configured. The signing-key
     * columns hold a {@code whsec_} secret or a {@code whsk_} ed25519 private key alike, so both are sealed,
     * re-encrypted and checked at start by the same code.
     */
    static final String SECRET = "secret";
    static final String PREVIOUS_SECRET = "previous_secret";
    static final String TLS_CLIENT_KEY = "tls_client_key";
    private static final List<String> SEALED = List.of(SECRET, PREVIOUS_SECRET, TLS_CLIENT_KEY);

    /**
     * One batch of the re-encryption: how many endpoints were rewritten, why others could not be read, and where
     * the next batch starts.
     */
    public record Reencrypted(int rewritten, List<String> unreadable, String lastId, boolean done) {
    }

    private final Database db;
    private final SecretBox box;

    public EndpointStore(Database db, SecretBox box) {
        this.db = db;
        this.box = box;
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

    private int insert(java.sql.Connection c, Endpoint e, EndpointSpec s) throws SQLException {
        String id = e.id();
        return Sql.update(c, "INSERT INTO endpoints (" + COLUMNS + ")"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.id(), e.tenantId(), s.url(), s.description(), typesJson(s.eventTypes()), s.format().toString(),
                batchMax(s), batchWindow(s), s.retry().policy().toString(), s.retry().maxAttempts(),
                millis(s.retry().horizon()), millis(s.retry().initialDelay()), s.retry().on().toString(),
                headersJson(s.headers()), box.seal(context(id, SECRET), e.secret()),
                box.seal(context(id, PREVIOUS_SECRET), e.previousSecret()), epoch(e.previousSecretExpiresAt()),
                tls(s).clientCertificate(), box.seal(context(id, TLS_CLIENT_KEY), tls(s).clientKey()), tls(s).caCertificates(),
                s.timeout().toMillis(), s.maxConcurrency(), s.rateLimitPerS(), s.ordering().toString(), s.status().toString(),
                e.pausedReason(),
                e.createdAt().toEpochMilli(), e.updatedAt().toEpochMilli());
    }

    public Optional<Endpoint> get(String tenantId, String id) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM endpoints WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                this::endpoint, tenantId, id));
    }

    public Page<Endpoint> list(String tenantId, String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c, "SELECT " + COLUMNS + " FROM endpoints"
                        + " WHERE tenant_id = ? AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
                this::endpoint, tenantId, after == null ? "" : after, limit + 1), limit, Endpoint::id));
    }

    /**
     * Replaces the tenant's settings. Resuming (status back to active) clears the pause reason; pausing by
     * hand records none.
     */
    public Optional<Endpoint> update(String tenantId, String id, EndpointSpec s, Instant now) {
        return update(tenantId, id, s, null, now, null);
    }

    /**
     * Replaces the tenant's settings and, in the same transaction, makes {@code newKey} current unless the current
     * key is of its scheme already (so two requests switching at once switch once, and the other scheme's key keeps
     * its overlap); the old key keeps signing until {@code overlapUntil}. {@code newKey} null changes no key.
     */
    public Optional<Endpoint> update(String tenantId, String id, EndpointSpec s, String newKey, Instant now, Instant overlapUntil) {
        boolean updated = db.inTransaction(c -> {
            if (newKey != null) {
                Optional<String> current = currentKey(c, tenantId, id);
                if (current.isEmpty()) {
                    return false;
                }
                if (Signing.of(current.get()) != Signing.of(newKey)) {
                    rotate(c, tenantId, id, current.get(), newKey, now, overlapUntil);
                }
            }
            return updateSpec(c, tenantId, id, s, now) == 1;
        });
        return updated ? get(tenantId, id) : Optional.empty();
    }

    private int updateSpec(java.sql.Connection c, String tenantId, String id, EndpointSpec s, Instant now) throws SQLException {
        return Sql.update(c, "UPDATE endpoints SET url = ?, description = ?, event_types = ?,"
                        + " format = ?, batch_max_events = ?, batch_window_ms = ?, retry_policy = ?, retry_max_attempts = ?,"
                        + " retry_horizon_ms = ?, retry_initial_delay_ms = ?, retry_on = ?, headers = ?,"
                        + " tls_client_certificate = ?, tls_client_key = ?, tls_ca_certificates = ?, timeout_ms = ?,"
                        + " max_concurrency = ?, rate_limit_per_s = ?, ordering = ?,"
                        + " paused_reason = CASE WHEN ? = status THEN paused_reason ELSE NULL END,"
                        // why: a resumed endpoint starts a fresh streak; the old one would pause it again at once
                        + " failing_since = CASE WHEN status = 'paused' THEN NULL ELSE failing_since END,"
                        + " status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                s.url(), s.description(), typesJson(s.eventTypes()), s.format().toString(), batchMax(s), batchWindow(s),
                s.retry().policy().toString(), s.retry().maxAttempts(), millis(s.retry().horizon()),
                millis(s.retry().initialDelay()), s.retry().on().toString(), headersJson(s.headers()),
                tls(s).clientCertificate(), box.seal(context(id, TLS_CLIENT_KEY), tls(s).clientKey()), tls(s).caCertificates(),
                s.timeout().toMillis(), s.maxConcurrency(), s.rateLimitPerS(), s.ordering().toString(), s.status().toString(),
                s.status().toString(), now.toEpochMilli(), tenantId, id);
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

    /**
     * Makes {@code secret} (a {@code whsec_} secret or a {@code whsk_} private key) current; the old key keeps
     * signing until {@code overlapUntil}.
     */
    public Optional<Endpoint> rotateSecret(String tenantId, String id, String secret, Instant now, Instant overlapUntil) {
        boolean rotated = db.inTransaction(c -> {
            Optional<String> current = currentKey(c, tenantId, id);
            return current.isPresent() && rotate(c, tenantId, id, current.get(), secret, now, overlapUntil);
        });
        return rotated ? get(tenantId, id) : Optional.empty();
    }

    /** The current key, opened; the row is held until commit, so two rotations or switches cannot interleave. */
    private Optional<String> currentKey(java.sql.Connection c, String tenantId, String id) throws SQLException {
        return Sql.one(c, "SELECT secret FROM endpoints WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL"
                + db.dialect().forUpdate(), rs -> box.open(context(id, SECRET), rs.getString(1)), tenantId, id);
    }

    private boolean rotate(java.sql.Connection c, String tenantId, String id, String current, String next, Instant now,
                           Instant overlapUntil) throws SQLException {
        // why: read and written again rather than "SET previous_secret = secret": a sealed value opens only in
        // the column it was sealed for
        return Sql.update(c, "UPDATE endpoints SET previous_secret = ?, previous_secret_expires_at = ?, secret = ?,"
                        + " updated_at = ? WHERE tenant_id = ? AND id = ?",
                box.seal(context(id, PREVIOUS_SECRET), current), overlapUntil.toEpochMilli(),
                box.seal(context(id, SECRET), next), now.toEpochMilli(), tenantId, id) == 1;
    }

    /**
     * How many values of each key id the database holds sealed, for the check at start. Reads only the key ids,
     * which the stored form puts at a fixed place.
     */
    public Map<String, Long> sealedKeyIds() {
        int from = SecretBox.PREFIX.length() + 1;
        return db.read(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String column : SEALED) {
                Sql.list(c, "SELECT substr(" + column + ", " + from + ", " + SecretBox.KEY_ID_LENGTH + ") AS key_id,"
                                + " COUNT(*) AS n FROM endpoints WHERE " + column + " LIKE '" + SecretBox.PREFIX + "%'"
                                + " GROUP BY substr(" + column + ", " + from + ", " + SecretBox.KEY_ID_LENGTH + ")",
                        rs -> out.merge(rs.getString("key_id"), rs.getLong("n"), Long::sum));
            }
            return out;
        });
    }

    /** Refuses to start (a {@code ConfigException}) when a stored value is under a key this Herald does not hold. */
    public void checkReadable() {
        box.checkReadable(sealedKeyIds());
    }

    /** How many endpoints hold a secret that is not under the current key (plain text ones included). */
    public long countNotUnderCurrentKey() {
        return db.read(c -> Sql.one(c, "SELECT COUNT(*) FROM endpoints WHERE " + notUnderCurrentKey(),
                rs -> rs.getLong(1), currentPattern(), currentPattern(), currentPattern()).orElse(0L));
    }

    /**
     * Rewrites under the current key the secrets of up to {@code limit} endpoints after {@code afterId} (in id
     * order) that hold one under another key or in plain text, in one short transaction that holds those rows.
     * An endpoint whose secret cannot be opened is left as it is and counted.
     */
    public Reencrypted reencrypt(String afterId, int limit) {
        record Row(String id, String secret, String previousSecret, String tlsClientKey) {
        }
        return db.inTransaction(c -> {
            List<Row> rows = Sql.list(c, "SELECT id, secret, previous_secret, tls_client_key FROM endpoints"
                            + " WHERE id > ? AND " + notUnderCurrentKey() + " ORDER BY id LIMIT ?" + db.dialect().forUpdate(),
                    rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                    afterId, currentPattern(), currentPattern(), currentPattern(), limit);
            int rewritten = 0;
            List<String> unreadable = new ArrayList<>();
            for (Row r : rows) {
                try {
                    rewritten += Sql.update(c, "UPDATE endpoints SET secret = ?, previous_secret = ?, tls_client_key = ?"
                                    + " WHERE id = ?",
                            reseal(r.id(), SECRET, r.secret()), reseal(r.id(), PREVIOUS_SECRET, r.previousSecret()),
                            reseal(r.id(), TLS_CLIENT_KEY, r.tlsClientKey()), r.id());
                } catch (SecretBox.UnreadableSecretException e) {
                    unreadable.add(e.getMessage());
                }
            }
            return new Reencrypted(rewritten, unreadable, rows.isEmpty() ? afterId : rows.getLast().id(), rows.size() < limit);
        });
    }

    private String reseal(String id, String column, String stored) {
        return box.isCurrent(stored) ? stored : box.seal(context(id, column), box.open(context(id, column), stored));
    }

    private static String notUnderCurrentKey() {
        return "(secret NOT LIKE ? OR previous_secret NOT LIKE ? OR tls_client_key NOT LIKE ?)";
    }

    private String currentPattern() {
        return SecretBox.PREFIX + box.currentKeyId().orElseThrow(() -> new IllegalStateException(
                "re-encryption without a current key; should never happen: it starts only when a key is configured")) + ":%";
    }

    /** why: the associated data of a sealed value; part of the stored format, so never reworded */
    private static String context(String endpointId, String column) {
        return "the " + column + " of endpoint " + endpointId;
    }

    /** Maps a row of {@link #COLUMNS}, its secrets opened; {@link SecretBox.UnreadableSecretException} when one cannot be. */
    Endpoint endpoint(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        Format format = Format.valueOf(rs.getString("format").toUpperCase(Locale.ROOT));
        RetryPolicy retry = new RetryPolicy(
                RetryPolicy.Kind.valueOf(rs.getString("retry_policy").toUpperCase(Locale.ROOT)),
                rs.getInt("retry_max_attempts"),
                duration(Sql.nullableLong(rs, "retry_horizon_ms")),
                duration(Sql.nullableLong(rs, "retry_initial_delay_ms")),
                "5xx".equals(rs.getString("retry_on")) ? RetryPolicy.RetryOn.SERVER_ERRORS : RetryPolicy.RetryOn.NON_2XX);
        String cert = rs.getString("tls_client_certificate");
        String key = box.open(context(id, TLS_CLIENT_KEY), rs.getString("tls_client_key"));
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
                Sql.nullableInt(rs, "rate_limit_per_s"),
                EndpointSpec.Ordering.valueOf(rs.getString("ordering").toUpperCase(Locale.ROOT)),
                Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)));
        Long previousExpires = Sql.nullableLong(rs, "previous_secret_expires_at");
        return new Endpoint(
                id,
                rs.getString("tenant_id"),
                spec,
                box.open(context(id, SECRET), rs.getString("secret")),
                box.open(context(id, PREVIOUS_SECRET), rs.getString("previous_secret")),
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
