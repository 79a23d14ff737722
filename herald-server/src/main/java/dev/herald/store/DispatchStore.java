package dev.herald.store;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.store.Delivery.Status;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * {@code traceparent}: the span that made the delivery (its publish, or its seal), for the attempt's span link.
     */
    public record Claim(String deliveryId, Endpoint endpoint, String eventType, byte[] body, int attemptCount,
                        Integer attemptLimit, String leaseToken, boolean reclaimed, Instant endpointFailingSince,
                        Instant leaseExpiresAt, boolean test, String traceparent) {
        public Claim(String deliveryId, Endpoint endpoint, String eventType, byte[] body, int attemptCount,
                     Integer attemptLimit, String leaseToken, boolean reclaimed, Instant endpointFailingSince,
                     Instant leaseExpiresAt, boolean test) {
            this(deliveryId, endpoint, eventType, body, attemptCount, attemptLimit, leaseToken, reclaimed, endpointFailingSince,
                    leaseExpiresAt, test, null);
        }

        public boolean toSend() {
            return leaseToken != null;
        }

        /** The same claim, sent with the endpoint's settings and keys as they are now. */
        public Claim withEndpoint(Endpoint current) {
            return new Claim(deliveryId, current, eventType, body, attemptCount, attemptLimit, leaseToken, reclaimed,
                    endpointFailingSince, leaseExpiresAt, test, traceparent);
        }
    }

    /**
     * Claim up to {@code limit} due deliveries of {@code endpoint} under a lease lasting {@code lease}, marked with
     * {@code token} (the caller knows it before the transaction, so it can release the lease if it cannot tell
     * whether the transaction committed).
     */
    public record ClaimRequest(Endpoint endpoint, int limit, Duration lease, String token) {
    }

    /** A claimed delivery given back unsent: due again at once, its lease cleared if it still holds. */
    public record Release(String deliveryId, String token) {
    }

    /** What one dispatch cycle wrote and took: outcomes fenced out, and the new claims. */
    public record Cycle(Set<String> fenced, List<Claim> claims) {
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
     * Makes every leased delivery due now, its lease kept so the claim that takes it records the lost attempt. Only
     * for SQLite at start: one process uses the database, so a lease found then belongs to a process that stopped.
     */
    public int expireLeasesOfAStoppedProcess(Instant now) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE deliveries SET next_attempt_at = ?"
                + " WHERE status = 'pending' AND lease_token IS NOT NULL AND next_attempt_at > ?", now.toEpochMilli(),
                now.toEpochMilli()));
    }

    /** The endpoints with these ids as they are now (not deleted ones); an unreadable one is left out, logged once. */
    public Map<String, Endpoint> endpoints(Collection<String> ids) {
        Map<String, Endpoint> out = new java.util.LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        db.read(c -> Sql.list(c, "SELECT " + EndpointStore.COLUMNS + " FROM endpoints e WHERE e.deleted_at IS NULL"
                + " AND e.id IN (" + marks + ")", rs -> {
                    try {
                        Endpoint e = endpoints.endpoint(rs);
                        out.put(e.id(), e);
                    } catch (SecretBox.UnreadableSecretException e) {
                        if (reportedUnreadable.add(rs.getString("id"))) {
                            log.error("Not delivering to endpoint {}: {}", rs.getString("id"), e.getMessage());
                        }
                    }
                    return null;
                }, ids.toArray()));
        return out;
    }

    /**
     * One dispatch cycle in one transaction: writes the outcomes (each only if its lease still holds), gives back
     * the released claims, releases every lease marked with one of {@code uncertainTokens} (claims whose
     * transaction this node could not see commit), then claims for each request. Writing and claiming together
     * means a slot freed by an answer is refilled in the same transaction that records it. Relaxed: a cycle lost
     * to a power cut only means deliveries are sent again, with the same ids.
     */
    public Cycle cycle(List<Outcome> outcomes, List<Release> releases, Collection<String> uncertainTokens,
                       List<ClaimRequest> requests, Instant now) {
        return db.inRelaxedTransaction(c -> {
            Set<String> fenced = new HashSet<>();
            List<Claim> claims = new ArrayList<>();
            try (Prepared p = new Prepared(c)) {
                record(p, outcomes, now, fenced);
                for (Release r : releases) {
                    p.batch("UPDATE deliveries SET lease_token = NULL, lease_expires_at = NULL, leased_at = NULL,"
                            + " next_attempt_at = ? WHERE id = ? AND lease_token = ? AND status = 'pending'",
                            now.toEpochMilli(), r.deliveryId(), r.token());
                }
                for (String token : uncertainTokens) {
                    p.batch("UPDATE deliveries SET lease_token = NULL, lease_expires_at = NULL, leased_at = NULL,"
                            + " next_attempt_at = ? WHERE lease_token = ? AND status = 'pending'", now.toEpochMilli(), token);
                }
                p.flush();
                List<EventStore.Publish> notices = outcomes.stream().filter(o -> !fenced.contains(o.claim().deliveryId()))
                        .flatMap(o -> o.notices().stream()).toList();
                if (!notices.isEmpty()) {
                    events.publishWithin(c, notices);
                }
                for (ClaimRequest r : requests) {
                    claimFor(p, r, now, claims);
                }
            }
            return new Cycle(fenced, claims);
        });
    }

    /** Claims for the requests alone (a cycle with nothing to write); for tests and tools. */
    public List<Claim> claim(Map<Endpoint, Integer> slots, Instant now, java.util.function.Function<Endpoint, Duration> leaseFor) {
        List<ClaimRequest> requests = new ArrayList<>();
        slots.forEach((e, n) -> requests.add(new ClaimRequest(e, n, leaseFor.apply(e), UUID.randomUUID().toString())));
        return cycle(List.of(), List.of(), List.of(), requests, now).claims();
    }

    /**
     * Claims due deliveries of one endpoint, oldest due first. Of the pending deliveries of one ordering key only
     * the first in publish order may be taken: while it waits (to be sent, or for its retry) the later ones of its
     * key wait too, and the other keys go on. A delivery whose earlier lease ran out has its lost attempt recorded
     * and counted; if that was its last allowed attempt it fails instead of being claimed.
     */
    private void claimFor(Prepared p, ClaimRequest request, Instant now, List<Claim> out) throws SQLException {
        Endpoint e = request.endpoint();
        Instant leaseEnds = now.plus(request.lease());
        record State(Endpoint endpoint, boolean active, boolean deleted, Long failingSince) {
        }
        // why: read in the claim's transaction, so a pause or delete committed before it is seen (nothing is claimed)
        // and the claims carry the keys as they are now: a rotation just answered signs the very next request
        Optional<State> state;
        try {
            state = p.one("SELECT " + EndpointStore.COLUMNS + ", deleted_at, failing_since FROM endpoints WHERE id = ?",
                    rs -> new State(endpoints.endpoint(rs), "active".equals(rs.getString("status")),
                            Sql.nullableLong(rs, "deleted_at") != null, Sql.nullableLong(rs, "failing_since")), request.endpoint().id());
        } catch (SecretBox.UnreadableSecretException unreadable) {
            return; // why: logged once by due(), which leaves the endpoint out of the next rounds
        }
        if (state.isEmpty() || state.get().deleted()) {
            return;
        }
        e = state.get().endpoint();
        // why: a paused endpoint sends only its test-sends (found through the partial index deliveries_test_due)
        String which = state.get().active() ? FIRST_OF_ITS_KEY : ONLY_TESTS;
        Instant failingSince = state.get().failingSince() == null ? null : Instant.ofEpochMilli(state.get().failingSince());
        List<Claimed> rows = db.dialect() == Dialect.POSTGRESQL
                ? p.list(postgresqlClaim(which), Claimed::of, e.id(), now.toEpochMilli(), request.limit(), request.token(),
                        leaseEnds.toEpochMilli(), leaseEnds.toEpochMilli(), now.toEpochMilli())
                : claimOneByOne(p, e.id(), which, request, leaseEnds, now);
        for (Claimed r : rows) {
            int attempts = r.attemptCount();
            if (r.previousToken() != null) {
                // why: the holder of the lease sent an attempt whose answer was never written (its node died or lost
                // the database); it counts, so the log and X-Webhook-Retry show that the partner may have it already
                attempts++;
                Instant sentAt = r.previousLeasedAt() == null ? now : Instant.ofEpochMilli(r.previousLeasedAt());
                p.update("INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, error, response_body,"
                        + " endpoint_id, test) VALUES (?, ?, ?, NULL, 0, ?, NULL, ?, ?) ON CONFLICT (delivery_id, n) DO NOTHING",
                        r.id(), attempts, sentAt.toEpochMilli(), LOST_ATTEMPT, e.id(), r.test());
                int limitOfAttempts = r.attemptLimit() != null ? r.attemptLimit() : e.spec().retry().maxAttempts();
                if (attempts >= limitOfAttempts) {
                    p.update("UPDATE deliveries SET status = 'failed', attempt_count = ?, next_attempt_at = NULL,"
                                    + " lease_token = NULL, lease_expires_at = NULL, leased_at = NULL, finished_at = ?"
                                    + " WHERE id = ? AND lease_token = ?", attempts, now.toEpochMilli(), r.id(), request.token());
                    out.add(new Claim(r.id(), e, r.eventType(), r.body(), attempts, r.attemptLimit(), null, true,
                            failingSince, null, r.test(), r.traceparent()));
                    continue;
                }
                p.update("UPDATE deliveries SET attempt_count = ? WHERE id = ? AND lease_token = ?", attempts, r.id(),
                        request.token());
            }
            out.add(new Claim(r.id(), e, r.eventType(), r.body(), attempts, r.attemptLimit(), request.token(),
                    r.previousToken() != null, failingSince, leaseEnds, r.test(), r.traceparent()));
        }
    }

    /** A row a claim took, with the lease it had before (a lost attempt when not null). */
    private record Claimed(String id, String eventType, byte[] body, int attemptCount, Integer attemptLimit,
                           String previousToken, Long previousLeasedAt, boolean test, String traceparent) {
        static Claimed of(java.sql.ResultSet rs) throws SQLException {
            Long limitValue = Sql.nullableLong(rs, "attempt_limit");
            return new Claimed(rs.getString("id"), rs.getString("event_type"), rs.getBytes("body"), rs.getInt("attempt_count"),
                    limitValue == null ? null : limitValue.intValue(), rs.getString("previous_token"),
                    Sql.nullableLong(rs, "previous_leased_at"), rs.getBoolean("test"), rs.getString("traceparent"));
        }
    }

    /** Of a key's pending deliveries, only the first in publish order may be claimed (see {@link #claimFor}). */
    private static final String FIRST_OF_ITS_KEY = " AND (d.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries h"
            + " WHERE h.endpoint_id = d.endpoint_id AND h.ordering_key = d.ordering_key AND h.status = 'pending'"
            + " AND h.order_seq < d.order_seq))";

    /** A paused endpoint's only sendable deliveries: its test-sends, which ignore ordering keys. */
    private static final String ONLY_TESTS = " AND d.test = TRUE";

    /**
     * PostgreSQL claims in one statement, as db-scheduler does: the rows are picked and locked with
     * {@code SKIP LOCKED} (another node's picks are passed over, not waited for) and leased in the same statement,
     * which answers what they held before.
     */
    private static String postgresqlClaim(String which) {
        return "WITH picked AS (SELECT d.id, d.lease_token AS previous_token,"
                + " d.leased_at AS previous_leased_at FROM deliveries d WHERE d.endpoint_id = ? AND d.status = 'pending'"
                + " AND d.next_attempt_at <= ?" + which + " ORDER BY d.next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " UPDATE deliveries SET lease_token = ?, lease_expires_at = ?, next_attempt_at = ?, leased_at = ?"
                + " FROM picked WHERE deliveries.id = picked.id RETURNING deliveries.id, deliveries.event_type, deliveries.body,"
                + " deliveries.attempt_count, deliveries.attempt_limit, deliveries.test, deliveries.traceparent, picked.previous_token,"
                + " picked.previous_leased_at";
    }

    /** SQLite has one writer at a time (this transaction), so a read then an update per row cannot race. */
    private List<Claimed> claimOneByOne(Prepared p, String endpointId, String which, ClaimRequest request, Instant leaseEnds,
                                        Instant now) throws SQLException {
        List<Claimed> picked = p.list("SELECT d.id, d.event_type, d.body, d.attempt_count, d.attempt_limit, d.test, d.traceparent,"
                        + " d.lease_token AS previous_token, d.leased_at AS previous_leased_at FROM deliveries d"
                        + " WHERE d.endpoint_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ?" + which
                        + " ORDER BY d.next_attempt_at LIMIT ?",
                Claimed::of, endpointId, now.toEpochMilli(), request.limit());
        for (Claimed r : picked) {
            p.batch("UPDATE deliveries SET lease_token = ?, lease_expires_at = ?, next_attempt_at = ?, leased_at = ?"
                    + " WHERE id = ?", request.token(), leaseEnds.toEpochMilli(), leaseEnds.toEpochMilli(), now.toEpochMilli(), r.id());
        }
        p.flush();
        return picked;
    }

    /**
     * Writes outcomes in one transaction, each only if its lease still holds. Answers the ids of those
     * fenced out (their lease had run out and another claim may have taken the delivery).
     */
    public Set<String> record(List<Outcome> outcomes, Instant now) {
        return cycle(outcomes, List.of(), List.of(), List.of(), now).fenced();
    }

    private static void record(Prepared p, List<Outcome> outcomes, Instant now, Set<String> fenced) throws SQLException {
        // why: an endpoint's failing streak starts at its first failed attempt and ends at a 2xx; written once per
        // endpoint per group, from the last of its attempts in the group
        Map<String, Outcome> lastOfEndpoint = new java.util.LinkedHashMap<>();
        List<Object[]> rows = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            boolean finished = o.status() != Status.PENDING;
            rows.add(new Object[] {o.status().toString(),
                    o.nextAttemptAt() == null ? null : o.nextAttemptAt().toEpochMilli(),
                    o.status() == Status.DELIVERED ? o.attempt().at().toEpochMilli() : null,
                    finished ? now.toEpochMilli() : null,
                    o.claim().deliveryId(), o.claim().leaseToken()});
        }
        // why: one batch, so writing a cycle's outcomes is one round trip to PostgreSQL, not one per outcome
        int[] written = p.updateEach("UPDATE deliveries SET status = ?, attempt_count = attempt_count + 1,"
                + " next_attempt_at = ?, lease_token = NULL, lease_expires_at = NULL, leased_at = NULL,"
                + " delivered_at = ?, finished_at = ? WHERE id = ? AND lease_token = ?", rows);
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (written[i] == 0) {
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
