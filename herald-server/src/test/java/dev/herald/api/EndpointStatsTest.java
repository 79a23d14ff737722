package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * GET .../endpoints/{id}/stats on a data set written row by row, so every figure and bucket boundary is known:
 * what falls on a range's edge, test-sends and another endpoint's rows are left out.
 */
class EndpointStatsTest {
    /** Midnight before the data set; the clock stands at 10:00 the next day. */
    private static final Instant T = Instant.parse("2024-03-20T00:00:00Z");

    private TestHerald h;
    private String e;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static Instant at(String offset) {
        return T.plus(Duration.parse("PT" + offset));
    }

    private void start(String database) {
        TestHerald.Builder b = TestHerald.builder().clock(new SettableClock(Instant.parse("2024-03-21T10:00:00Z")));
        h = (database.equals("sqlite") ? b : b.postgres()).start();
        h.seed("acme");
        // why: paused, so the dispatcher leaves the pending delivery of the data set alone
        e = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"paused\"}").json().get("id").stringValue();
        String other = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"paused\"}")
                .json().get("id").stringValue();

        delivery("a", e, "delivered", at("10M"), at("10M0.2S"), false);
        attempt("a", 1, e, at("10M"), 200, 12, false);
        delivery("b", e, "failed", at("70M"), at("80M"), false);
        attempt("b", 1, e, at("70M"), 500, 30, false);
        attempt("b", 2, e, at("75M"), null, 10_000, false);
        attempt("b", 3, e, at("80M"), 503, 250, false);
        delivery("c", e, "pending", at("119M59.999S"), null, false);
        attempt("c", 1, e, at("120M"), 429, 1234, false);
        delivery("d", e, "delivered", T.minusMillis(1), at("5M"), false);
        attempt("d", 1, e, T.minusMillis(1), 500, 40, false);
        attempt("d", 2, e, at("5M"), 204, 7, false);
        delivery("y", e, "failed", at("6H59M59.999S"), at("7H"), false);
        attempt("y", 1, e, at("6H59M59.999S"), 500, 99, false);
        delivery("z", e, "delivered", at("7H"), at("7H"), false);
        attempt("z", 1, e, at("7H"), 200, 1, false);
        delivery("t", e, "delivered", at("20M"), at("20M"), true);
        attempt("t", 1, e, at("20M"), 200, 5, true);
        delivery("o", other, "delivered", at("30M"), at("30M"), false);
        attempt("o", 1, other, at("30M"), 200, 3, false);
    }

    private void delivery(String id, String endpoint, String status, Instant created, Instant finished, boolean test) {
        RecoverReplayTest.execute(h.herald().database(), "INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type,"
                        + " event_count, body, attempt_count, next_attempt_at, created_at, finished_at, test)"
                        + " VALUES (?, 'acme', ?, ?, 'batch', 1, ?, 1, ?, ?, ?, ?)",
                id, endpoint, status, "{}".getBytes(StandardCharsets.UTF_8), status.equals("pending") ? created.toEpochMilli() : null,
                created.toEpochMilli(), finished == null ? null : finished.toEpochMilli(), test);
    }

    private void attempt(String delivery, int n, String endpoint, Instant at, Integer status, long durationMs, boolean test) {
        RecoverReplayTest.execute(h.herald().database(), "INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms,"
                + " endpoint_id, test) VALUES (?, ?, ?, ?, ?, ?, ?)", delivery, n, at.toEpochMilli(), status, durationMs, endpoint, test);
    }

    private JsonNode stats(String query) {
        var r = h.get("/v1/tenants/acme/endpoints/" + e + "/stats" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    /** Each bucket as "start delivered/failed/attempts". */
    private static List<String> buckets(JsonNode stats) {
        List<String> out = new ArrayList<>();
        for (JsonNode b : stats.get("buckets")) {
            out.add(b.get("start").stringValue() + " " + b.get("delivered").longValue() + "/" + b.get("failed").longValue()
                    + "/" + b.get("attempts").longValue());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void overSevenHoursTheFiguresAndHourlyBucketsAreExact(String database) {
        start(database);

        JsonNode s = stats("?since=2024-03-20T00:00:00Z&until=2024-03-20T07:00:00Z");

        assertThat(s.get("since").stringValue()).isEqualTo("2024-03-20T00:00:00Z");
        assertThat(s.get("until").stringValue()).isEqualTo("2024-03-20T07:00:00Z");
        // created in the range: a, b, c, y (d is 1 ms early, z is at until, t is a test, o another endpoint's)
        assertThat(s.get("deliveries").toString()).isEqualTo("{\"delivered\":1,\"failed\":2,\"pending\":1}");
        // at in the range: a1, b1, b2, b3, c1, d2, y1; 2xx: a1 and d2
        assertThat(s.get("attempts").toString()).isEqualTo("{\"total\":7,\"succeeded\":2,\"failed\":5}");
        assertThat(s.get("success_rate").doubleValue()).isEqualTo(2.0 / 7);
        // answered ones: 7, 12, 30, 99, 250, 1234 (kept as 1200): the 3rd and the 6th of six
        assertThat(s.get("latency_ms").toString()).isEqualTo("{\"p50\":30,\"p99\":1200}");
        assertThat(buckets(s)).containsExactly(
                "2024-03-20T00:00:00Z 2/0/2",
                "2024-03-20T01:00:00Z 0/1/3",
                "2024-03-20T02:00:00Z 0/0/1",
                "2024-03-20T03:00:00Z 0/0/0",
                "2024-03-20T04:00:00Z 0/0/0",
                "2024-03-20T05:00:00Z 0/0/0",
                "2024-03-20T06:00:00Z 0/0/1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void upToSixHoursBucketsAreFiveMinutesAlignedToTheClockAndCountOnlyTheRange(String database) {
        start(database);

        JsonNode s = stats("?since=2024-03-20T00:02:30Z&until=2024-03-20T01:15:00Z");

        assertThat(s.get("deliveries").toString()).isEqualTo("{\"delivered\":1,\"failed\":1,\"pending\":0}");
        assertThat(s.get("attempts").toString()).isEqualTo("{\"total\":3,\"succeeded\":2,\"failed\":1}");
        assertThat(s.get("latency_ms").toString()).isEqualTo("{\"p50\":12,\"p99\":30}");
        List<String> expected = new ArrayList<>();
        for (int m = 0; m <= 70; m += 5) {
            String start = T.plus(Duration.ofMinutes(m)).toString();
            expected.add(start + switch (m) {
                case 5 -> " 1/0/1";
                case 10 -> " 1/0/1";
                case 70 -> " 0/0/1";
                default -> " 0/0/0";
            });
        }
        assertThat(buckets(s)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theDefaultIsTheLastDayAndAnEmptyRangeIsZerosWithEveryBucket(String database) {
        start(database);

        JsonNode s = stats("");

        assertThat(s.get("since").stringValue()).isEqualTo("2024-03-20T10:00:00Z");
        assertThat(s.get("until").stringValue()).isEqualTo("2024-03-21T10:00:00Z");
        assertThat(s.get("deliveries").toString()).isEqualTo("{\"delivered\":0,\"failed\":0,\"pending\":0}");
        assertThat(s.get("attempts").toString()).isEqualTo("{\"total\":0,\"succeeded\":0,\"failed\":0}");
        assertThat(s.get("success_rate").isNull()).isTrue();
        assertThat(s.get("latency_ms").toString()).isEqualTo("{\"p50\":null,\"p99\":null}");
        assertThat(buckets(s)).hasSize(24).allMatch(b -> b.endsWith(" 0/0/0"));
        assertThat(buckets(s).getFirst()).startsWith("2024-03-20T10:00:00Z");

        // since alone runs to now; until alone looks back a day
        assertThat(stats("?since=2024-03-20T00:00:00Z").get("buckets")).hasSize(34);
        assertThat(stats("?until=2024-03-20T07:00:00Z").get("since").stringValue()).isEqualTo("2024-03-19T07:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aBadRangeIsA400NamingTheParameter(String database) {
        start(database);
        String path = "/v1/tenants/acme/endpoints/" + e + "/stats";

        for (String query : List.of("?since=2024-03-20T01:00:00Z&until=2024-03-20T01:00:00Z",
                "?since=2024-03-20T02:00:00Z&until=2024-03-20T01:00:00Z",
                "?since=2023-12-01T00:00:00Z&until=2024-03-01T00:00:01Z",
                "?since=yesterday")) {
            var r = h.get(path + query);
            assertProblem(r, 400);
            assertThat(r.json().get("field").stringValue()).as(query).isEqualTo("since");
        }
        assertThat(h.get(path + "?since=2023-12-02T00:00:00Z&until=2024-03-01T00:00:00Z").status()).as("90 days").isEqualTo(200);
        assertThat(h.get(path + "?until=2024-03-20T25:00:00Z").json().get("field").stringValue()).isEqualTo("until");
        assertThat(h.get(path + "?from=2024-03-20T00:00:00Z").json().get("field").stringValue()).isEqualTo("from");
        assertProblem(h.get("/v1/tenants/acme/endpoints/no-such/stats"), 404);
        String readOnly = h.post("/v1/tenants/acme/portal-sessions", "{\"read_only\": true}").json().get("token").stringValue();
        assertThat(h.send("GET", path, null, readOnly).status()).as("a read-only session reads stats").isEqualTo(200);
    }
}
