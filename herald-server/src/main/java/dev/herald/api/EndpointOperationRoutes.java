package dev.herald.api;

import dev.herald.endpoint.Endpoint;
import dev.herald.json.Json;
import dev.herald.store.DeliveryStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.Ids;
import dev.herald.store.ReplayStore;
import dev.herald.store.StatsStore;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a tenant does with one endpoint beyond configuring it: send a test, recover what failed during an outage,
 * replay a window of events, read its statistics (docs/api.md).
 *
 * <p>Recover and replay write in chunks of {@link #CHUNK} rows, each its own short transaction, so neither holds
 * SQLite's one writer for long however large it is: publishes and deliveries go on between chunks. Both run within
 * the request and answer once every chunk has committed, so a 202 means that everything counted is queued, durably;
 * a replay of 100,000 events takes a few seconds (docs/benchmarks.md, "API at volume"). Running them in the
 * background would answer sooner but would promise work that a restart could forget.
 */
final class EndpointOperationRoutes {
    private static final String ENDPOINT = "/v1/tenants/{tenant}/endpoints/{endpoint}";
    /** The most events one replay may queue; a larger range is refused before anything is queued. */
    static final int MAX_REPLAY_EVENTS = 100_000;
    /** Rows written by one transaction of a recover or a replay. */
    static final int CHUNK = 1000;
    /** The stats' range when none is given, and the longest one accepted. */
    static final Duration STATS_DEFAULT_RANGE = Duration.ofHours(24);
    static final Duration STATS_MAX_RANGE = Duration.ofDays(90);
    /** Ranges up to this long are counted in five-minute buckets, longer ones in hours. */
    static final Duration FINE_BUCKETS_UP_TO = Duration.ofHours(6);

    private final ManagementRoutes management;
    private final EndpointStore endpoints;
    private final DeliveryStore deliveries;
    private final ReplayStore replays;
    private final StatsStore stats;
    private final TestEvents testEvents;
    private final Clock clock;
    private final Runnable onDeliveryDue;

    /** @param onDeliveryDue told when deliveries became due (a test, a recover, a replay into per-event deliveries) */
    EndpointOperationRoutes(ManagementRoutes management, EndpointStore endpoints, DeliveryStore deliveries,
                            ReplayStore replays, StatsStore stats, TestEvents testEvents, Clock clock, Runnable onDeliveryDue) {
        this.management = management;
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.replays = replays;
        this.stats = stats;
        this.testEvents = testEvents;
        this.clock = clock;
        this.onDeliveryDue = onDeliveryDue;
    }

    void register(Routes r) {
        r.post(ENDPOINT + "/test", Access.TENANT_WRITE, this::test);
        r.post(ENDPOINT + "/recover", Access.TENANT_WRITE, this::recover);
        r.post(ENDPOINT + "/replay", Access.TENANT_WRITE, this::replay);
        r.get(ENDPOINT + "/stats", Access.TENANT_READ, QueryParams.NONE.and("since", "until"), this::stats);
    }

    private void test(Context ctx) {
        Endpoint e = existing(ctx);
        TestEvents.TestEvent event = testEvents.read(e, Bodies.optionalJson(ctx));
        Instant now = clock.instant();
        String id = Ids.uuid7(clock);
        if (!deliveries.insertTest(e.tenantId(), e.id(), id, TestEvents.eventHeader(e, event), event.id(),
                TestEvents.body(e, id, event, now), now)) {
            throw gone(ctx);
        }
        onDeliveryDue.run();
        ObjectNode n = Json.object();
        n.put("delivery_id", id);
        Responses.json(ctx, 202, n);
    }

    private void recover(Context ctx) {
        Endpoint e = existing(ctx);
        Range range = range(Fields.of(Bodies.json(ctx, Bodies.MAX_BODY), "").only("since", "until"), clock.instant());
        long failed = deliveries.countFailed(e.id(), range.since(), range.until());
        long recovered = 0;
        // why: bounded by the count taken first, so a delivery that fails again at once is not recovered twice
        while (recovered < failed) {
            int n = deliveries.recover(e.tenantId(), e.id(), range.since(), range.until(), clock.instant(), CHUNK);
            recovered += n;
            if (n > 0) {
                onDeliveryDue.run();
            }
            if (n < CHUNK) {
                break;
            }
        }
        ObjectNode body = Json.object();
        body.put("deliveries", recovered);
        Responses.json(ctx, 202, body);
    }

    private void replay(Context ctx) {
        Endpoint e = existing(ctx);
        Range range = range(Fields.of(Bodies.json(ctx, Bodies.MAX_BODY), "").only("since", "until"), clock.instant());
        // why: the subscription is judged by the endpoint's own rule on each type present, as a publish would be
        List<String> types = new ArrayList<>();
        long count = 0;
        for (var byType : replays.countByType(e.tenantId(), range.since(), range.until()).entrySet()) {
            if (e.spec().subscribes(byType.getKey())) {
                types.add(byType.getKey());
                count += byType.getValue();
            }
        }
        if (count > MAX_REPLAY_EVENTS) {
            throw new Invalid("since", "the range holds " + count + " events this endpoint subscribes to, more than the "
                    + MAX_REPLAY_EVENTS + " one replay may queue; replay it in shorter ranges");
        }
        long replayed = 0;
        ReplayStore.Position at = null;
        do {
            ReplayStore.Chunk chunk = replays.replay(e.tenantId(), e.id(), types, range.since(), range.until(), at, CHUNK,
                    clock.instant());
            replayed += chunk.replayed();
            if (chunk.replayed() > 0) {
                onDeliveryDue.run(); // why: per-event deliveries are sealed by the replay itself; queued ones by the batcher's poll
            }
            at = chunk.next();
        } while (at != null);
        ObjectNode body = Json.object();
        body.put("events", replayed);
        Responses.json(ctx, 202, body);
    }

    private void stats(Context ctx) {
        Endpoint e = existing(ctx);
        Instant until = Query.instant(ctx, "until", clock.instant());
        Instant since = Query.instant(ctx, "since", until.minus(STATS_DEFAULT_RANGE));
        if (!since.isBefore(until)) {
            throw ApiError.badRequest("since", "since must be before until (" + until + ")");
        }
        Duration length = Duration.between(since, until);
        if (length.compareTo(STATS_MAX_RANGE) > 0) {
            throw ApiError.badRequest("since", "the range may be at most " + STATS_MAX_RANGE.toDays() + " days, was "
                    + length.toDays() + " days; ask for a shorter range");
        }
        Duration width = length.compareTo(FINE_BUCKETS_UP_TO) <= 0 ? Duration.ofMinutes(5) : Duration.ofHours(1);
        StatsStore.Stats s = stats.stats(e.id(), since, until, width);
        ObjectNode n = Json.object();
        n.put("since", since.toString());
        n.put("until", until.toString());
        ObjectNode d = n.putObject("deliveries");
        d.put("delivered", s.delivered());
        d.put("failed", s.failed());
        d.put("pending", s.pending());
        ObjectNode a = n.putObject("attempts");
        a.put("total", s.attempts());
        a.put("succeeded", s.succeeded());
        a.put("failed", s.attempts() - s.succeeded());
        if (s.attempts() == 0) {
            n.putNull("success_rate");
        } else {
            n.put("success_rate", (double) s.succeeded() / s.attempts());
        }
        ObjectNode latency = n.putObject("latency_ms");
        latency.put("p50", s.p50());
        latency.put("p99", s.p99());
        var buckets = n.putArray("buckets");
        for (StatsStore.Bucket b : s.buckets()) {
            ObjectNode bn = buckets.addObject();
            bn.put("start", b.start().toString());
            bn.put("delivered", b.delivered());
            bn.put("failed", b.failed());
            bn.put("attempts", b.attempts());
        }
        Responses.json(ctx, 200, n);
    }

    /** A time range of a recover or replay. */
    private record Range(Instant since, Instant until) {
    }

    /**
     * {@code since} (required) and {@code until}, since before until. {@code until} defaults to, and is at most, the
     * end of the current millisecond: nothing has failed or been published later, and a recover or replay must not
     * chase what happens while it runs.
     */
    private static Range range(Fields f, Instant now) {
        Instant since = f.instant("since", null);
        if (since == null) {
            throw new Invalid("since", "is required: the start of the range, an RFC 3339 time such as 2026-11-24T10:00:00Z");
        }
        Instant end = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusMillis(1);
        Instant until = f.instant("until", end);
        if (!since.isBefore(until)) {
            throw new Invalid("since", "must be before until (" + until + ")");
        }
        return new Range(since, until.isAfter(end) ? end : until);
    }

    private Endpoint existing(Context ctx) {
        String tenant = management.existing(ctx.pathParam("tenant")).id();
        return endpoints.get(tenant, ctx.pathParam("endpoint")).orElseThrow(() -> gone(ctx));
    }

    private static ApiError gone(Context ctx) {
        return ApiError.notFound("no endpoint " + ctx.pathParam("endpoint") + " for tenant " + ctx.pathParam("tenant"));
    }
}
