package dev.herald.store;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.store.Delivery.Status;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's SQL: lease claims, fenced outcomes, queue statistics and the retention purge.
 *
 * <p>A claim sets a fresh lease token and moves {@code next_attempt_at} to the lease's end: a delivery in
 * flight is not due, and one whose node died becomes due again when its lease runs out, with no sweeper.
 * Every write after a claim names the token; a node that lost its lease changes nothing.
 */
public final class DispatchStore {
    /**
     * A delivery this node holds the lease of, with what sending it needs. {@code reclaimed}: an earlier lease
     * ran out with its attempt's outcome unwritten, and that attempt is counted in {@code attemptCount}. A null
     * {@code leaseToken} means that lost attempt was the last one allowed: the delivery is failed, not to be sent.
     * {@code test}: a test-send, sent once (even to a paused endpoint) with {@code X-Webhook-Test: true}.
     */
    public record Claim(String deliveryId, Endpoint endpoint, String eventType, byte[] body, int attemptCount,
                        Integer attemptLimit, String leaseToken, boolean reclaimed, Instant endpointFailingSince,
                        boolean test) {
        public boolean toSend() {
            return leaseToken != null;
        }
    }

    /** The error recorded for an attempt whose node died before writing its outcome. */
    public static final String LOST_ATTEMPT = "outcome unknown: the attempt was sent, but its answer was never recorded"
            + " (Herald stopped or lost its database while waiting); the receiver may have it already";

    /**
     * What an attempt ended in, to be written under the lease it was made with; {@code notices} are events to
     * publish in the same transaction (Herald's operational events), written only if the outcome is.
     */
    public record Outcome(Claim claim, Attempt attempt, Status status, Instant nextAttemptAt, String pauseReason,
                          List<EventStore.Publish> notices) {
        public Outcome(Claim claim, Attempt attempt, Status status, Instant nextAttemptAt, String pauseReason) {
            this(claim, attempt, status, nextAttemptAt, pauseReason, List.of());
        }

        public Outcome withNotices(List<EventStore.Publish> more) {
            return new Outcome(claim, attempt, status, nextAttemptAt, pauseReason, more);
        }
    }

    /** Queue depth for the metrics. */
    public record Stats(long waitingEvents, long dueDeliveries, long retryingDeliveries, Instant oldestDue) {
    }

    private static final Logger log = LoggerFactory.getLogger(DispatchStore.class);

    private final Database db;
    private final EndpointStore endpoints;
    /** Endpoints already logged as unreadable: one line each, not one a round. */
    private final Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();

    private final EventStore events;

    /** @param events publishes operational events in the same transaction as the outcome that caused them */
    public DispatchStore(Database db, SecretBox box, EventStore events) {
        this.db = db;
        this.endpoints = new EndpointStore(db, box);
        this.events = events;
    }

    /**
     * An endpoint and how many of its deliveries are due, counted up to {@link #MAX_DUE_COUNTED}: every due delivery
     * of an active endpoint, only the test-sends of a paused one.
     */
    public record Due(Endpoint endpoint, int count) {
    }

    /** No endpoint may have more in flight than this (the largest {@code max_concurrency}), so counting stops here. */
    public static final int MAX_DUE_COUNTED = 100;

    /**
     * Active endpoints that have at least one delivery due at {@code now}, and paused ones with a test-send due,
     * with how many are due. An endpoint whose secrets this node cannot decrypt (another node wrote them under a key
     * this one lacks) is left out, logged once, so the others keep being served.
     */
    public List<Due> due(Instant now) {
        // why: a paused endpoint's test-sends are found through the partial index deliveries_test_due, which holds
        // only pending test-sends, so a paused endpoint's backlog of a million is never scanned (its terms are
        // written as in the index, or SQLite would not use it)
        List<Due> due = db.read(c -> Sql.list(c, "SELECT " + EndpointStore.COLUMNS + ", CASE WHEN e.status = 'active'"
                        + " THEN (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries d"
                        + " WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= ? LIMIT "
                        + MAX_DUE_COUNTED + ") w)"
                        + " ELSE (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id"
                        + " AND d.test = TRUE AND d.status = 'pending' AND d.next_attempt_at <= ? LIMIT " + MAX_DUE_COUNTED + ") t)"
                        + " END AS due_count FROM endpoints e WHERE e.deleted_at IS NULL"
                        + " AND (e.status = 'active' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id"
                        + " AND d.status = 'pending' AND d.next_attempt_at <= ?)"
                        + " OR e.status = 'paused' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id"
                        + " AND d.test = TRUE AND d.status = 'pending' AND d.next_attempt_at <= ?))",
                rs -> {
                    try {
                        return new Due(endpoints.endpoint(rs), rs.getInt("due_count"));
                    } catch (SecretBox.UnreadableSecretException e) {
                        if (reportedUnreadable.add(rs.getString("id"))) {
                            log.error("Not delivering to endpoint {}: {}", rs.getString("id"), e.getMessage());
                        }
                        return null;
                    }
                }, now.toEpochMilli(), now.toEpochMilli(), now.toEpochMilli(), now.toEpochMilli()));
        due.removeIf(java.util.Objects::isNull);
        return due;
    }

    /**
     * Claims up to {@code slots.get(endpoint)} due deliveries of each endpoint, oldest due first, in one
     * transaction. The lease lasts {@code leaseFor(endpoint)}, which outlasts the endpoint's HTTP deadline.
     */
    public List<Claim> claim(Map<Endpoint, Integer> slots, Instant now, java.util.function.Function<Endpoint, Duration> leaseFor) {
        return db.inTransaction(c -> {
            List<Claim> claims = new ArrayList<>();
            try (Prepared p = new Prepared(c)) {
                for (Map.Entry<Endpoint, Integer> slot : slots.entrySet()) {
                    claimFor(p, slot.getKey(), slot.getValue(), now, now.plus(leaseFor.apply(slot.getKey())), claims);
                }
            }
            return claims;
        });
    }

    private void claimFor(Prepared p, Endpoint e, int limit, Instant now, Instant leaseEnds, List<Claim> out)
            throws SQLException {
        record Row(String id, String eventType, byte[] body, int attemptCount, Integer attemptLimit, boolean leased,
                   Long leasedAt, boolean test) {
        }
        // why: a list, not one(): the column is null while the endpoint succeeds, and Optional cannot hold null
        List<Long> failing = p.list("SELECT failing_since FROM endpoints WHERE id = ?",
                rs -> Sql.nullableLong(rs, "failing_since"), e.id());
        Instant failingSince = failing.isEmpty() || failing.getFirst() == null ? null : Instant.ofEpochMilli(failing.getFirst());
        // why: a paused endpoint sends only its test-sends (read through the partial index deliveries_test_due)
        boolean onlyTests = e.spec().status() != EndpointSpec.Status.ACTIVE;
        List<Row> rows = p.list("SELECT id, event_type, body, attempt_count, attempt_limit, lease_token, leased_at, test"
                        + " FROM deliveries WHERE endpoint_id = ?" + (onlyTests ? " AND test = TRUE" : "")
                        + " AND status = 'pending' AND next_attempt_at <= ?"
                        + " ORDER BY next_attempt_at LIMIT ?" + db.dialect().skipLocked(),
                rs -> {
                    Long limitValue = Sql.nullableLong(rs, "attempt_limit");
                    return new Row(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getInt(4),
                            limitValue == null ? null : limitValue.intValue(), rs.getString(6) != null,
                            Sql.nullableLong(rs, "leased_at"), rs.getBoolean("test"));
                },
                e.id(), now.toEpochMilli(), limit);
        for (Row r : rows) {
            int attempts = r.attemptCount();
            if (r.leased()) {
                // why: the holder of the lease sent an attempt whose answer was never written (its node died or lost
                // the database); it counts, so the log and X-Webhook-Retry show that the partner may have it already
                attempts++;
                Instant sentAt = r.leasedAt() == null ? now : Instant.ofEpochMilli(r.leasedAt());
                p.update("INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, error, response_body,"
                        + " endpoint_id, test) VALUES (?, ?, ?, NULL, 0, ?, NULL, ?, ?) ON CONFLICT (delivery_id, n) DO NOTHING",
                        r.id(), attempts, sentAt.toEpochMilli(), LOST_ATTEMPT, e.id(), r.test());
                int limitOfAttempts = r.attemptLimit() != null ? r.attemptLimit() : e.spec().retry().maxAttempts();
                if (attempts >= limitOfAttempts) {
                    p.update("UPDATE deliveries SET status = 'failed', attempt_count = ?, next_attempt_at = NULL,"
                                    + " lease_token = NULL, lease_expires_at = NULL, leased_at = NULL, finished_at = ?"
                                    + " WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                            attempts, now.toEpochMilli(), r.id(), now.toEpochMilli());
                    out.add(new Claim(r.id(), e, r.eventType(), r.body(), attempts, r.attemptLimit(), null, true, failingSince, r.test()));
                    continue;
                }
            }
            String token = UUID.randomUUID().toString();
            int n = p.update("UPDATE deliveries SET lease_token = ?, lease_expires_at = ?, next_attempt_at = ?, leased_at = ?,"
                            + " attempt_count = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                    token, leaseEnds.toEpochMilli(), leaseEnds.toEpochMilli(), now.toEpochMilli(), attempts, r.id(),
                    now.toEpochMilli());
            if (n == 1) {
                out.add(new Claim(r.id(), e, r.eventType(), r.body(), attempts, r.attemptLimit(), token, r.leased(),
                        failingSince, r.test()));
            }
        }
    }

    /**
     * Writes outcomes in one transaction, each only if its lease still holds. Answers the ids of those
     * fenced out (their lease had run out and another claim may have taken the delivery).
     */
    public Set<String> record(List<Outcome> outcomes, Instant now) {
        // why: relaxed is safe; an outcome lost to a power cut only means the delivery is sent again, same id
        return db.inRelaxedTransaction(c -> {
            Set<String> fenced = new HashSet<>();
            try (Prepared p = new Prepared(c)) {
                record(p, outcomes, now, fenced);
                p.flush();
            }
            List<EventStore.Publish> notices = outcomes.stream().filter(o -> !fenced.contains(o.claim().deliveryId()))
                    .flatMap(o -> o.notices().stream()).toList();
            if (!notices.isEmpty()) {
                events.publishWithin(c, notices);
            }
            return fenced;
        });
    }

    private static void record(Prepared p, List<Outcome> outcomes, Instant now, Set<String> fenced) throws SQLException {
        // why: an endpoint's failing streak starts at its first failed attempt and ends at a 2xx; written once per
        // endpoint per group, from the last of its attempts in the group
        Map<String, Outcome> lastOfEndpoint = new java.util.LinkedHashMap<>();
        for (Outcome o : outcomes) {
            boolean finished = o.status() != Status.PENDING;
            int n = p.update("UPDATE deliveries SET status = ?, attempt_count = attempt_count + 1,"
                            + " next_attempt_at = ?, lease_token = NULL, lease_expires_at = NULL, leased_at = NULL,"
                            + " delivered_at = ?, finished_at = ? WHERE id = ? AND lease_token = ?",
                    o.status().toString(),
                    o.nextAttemptAt() == null ? null : o.nextAttemptAt().toEpochMilli(),
                    o.status() == Status.DELIVERED ? o.attempt().at().toEpochMilli() : null,
                    finished ? now.toEpochMilli() : null,
                    o.claim().deliveryId(), o.claim().leaseToken());
            if (n == 0) {
                fenced.add(o.claim().deliveryId());
                continue;
            }
            Attempt a = o.attempt();
            p.batch("INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, error, response_body, endpoint_id, test)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    o.claim().deliveryId(), a.n(), a.at().toEpochMilli(), a.statusCode(), a.durationMs(),
                    OutsideText.clean(a.error()), OutsideText.clean(a.responseBody()), o.claim().endpoint().id(),
                    o.claim().test());
            if (o.pauseReason() != null) {
                p.update("UPDATE endpoints SET status = 'paused', paused_reason = ?, updated_at = ?"
                        + " WHERE id = ? AND status = 'active'", o.pauseReason(), now.toEpochMilli(), o.claim().endpoint().id());
            }
            if (!o.claim().test()) {
                // why: a test-send says nothing of the endpoint's traffic: it neither starts nor ends a failing streak
                lastOfEndpoint.put(o.claim().endpoint().id(), o);
            }
        }
        for (Outcome o : lastOfEndpoint.values()) {
            Integer code = o.attempt().statusCode();
            if (code != null && code >= 200 && code < 300) {
                p.batch("UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
                        o.claim().endpoint().id());
            } else {
                p.batch("UPDATE endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL",
                        o.attempt().at().toEpochMilli(), o.claim().endpoint().id());
            }
        }
    }

    public Stats stats(Instant now) {
        return db.read(c -> {
            long waiting = Sql.one(c, "SELECT COUNT(*) FROM queue", rs -> rs.getLong(1)).orElse(0L);
            long due = Sql.one(c, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
                    rs -> rs.getLong(1), now.toEpochMilli()).orElse(0L);
            long retrying = Sql.one(c, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempt_count > 0",
                    rs -> rs.getLong(1)).orElse(0L);
            // why: MIN over no rows is one row holding NULL
            Long oldest = Sql.list(c, "SELECT MIN(next_attempt_at) AS oldest FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
                    rs -> Sql.nullableLong(rs, "oldest"), now.toEpochMilli()).getFirst();
            return new Stats(waiting, due, retrying, oldest == null ? null : Instant.ofEpochMilli(oldest));
        });
    }

    /**
     * Deletes up to {@code batch} delivered deliveries finished before {@code deliveredCutoff}, up to
     * {@code batch} failed ones finished before {@code failedCutoff} (with their attempts and event lists), and
     * up to {@code batch} events older than {@code deliveredCutoff} that wait nowhere. Small batches keep each
     * transaction short, so the purge never holds up delivery.
     */
    public int purge(Instant deliveredCutoff, Instant failedCutoff, int batch) {
        return db.inRelaxedTransaction(c -> {
            int delivered = Sql.update(c, "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries"
                    + " WHERE status = 'delivered' AND finished_at < ? LIMIT ?)", deliveredCutoff.toEpochMilli(), batch);
            int failed = Sql.update(c, "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries"
                    + " WHERE status = 'failed' AND finished_at < ? LIMIT ?)", failedCutoff.toEpochMilli(), batch);
            int events = Sql.update(c, "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.created_at < ?"
                    + " AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.event_seq = e.seq) LIMIT ?)", deliveredCutoff.toEpochMilli(), batch);
            return delivered + failed + events;
        });
    }
}
