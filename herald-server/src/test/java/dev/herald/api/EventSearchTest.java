package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Eventually;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Finding events and their deliveries over HTTP: the events list, one event with its deliveries, and every
 * delivery list filter alone and combined. Runs on every store ({@link SqliteEventSearchTest},
 * {@link PostgresqlEventSearchTest}).
 *
 * <p>The scene, built once: at {@code t0} acme publishes e1 (order.created), e2 (order.paid) and e3 (user.created)
 * in one bulk; an hour later, at {@code t1}, e4 (order.paid). acme's endpoints:
 * <ul>
 *   <li>{@code batch}: every type, batches of 3, its receiver answers 400 and it allows one attempt, so its two
 *       batches ([e1, e2, e3] at t0, [e4] at t1) fail;</li>
 *   <li>{@code paid}: order.paid, one event per request, answered 200: e2 and e4 each delivered alone;</li>
 *   <li>{@code paused}: user.created, paused: e3's delivery stays pending.</li>
 * </ul>
 * globex publishes an event with acme's id e2, delivered to its own endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventSearchTest {
    private final SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final MockWebServer receiver = new MockWebServer();
    private TestHerald h;
    private Instant t0;
    private Instant t1;
    private String batchEp;
    private String paidEp;
    private String pausedEp;
    /** acme's deliveries by name: batch-t0, batch-t1, paid-e2, paid-e4, paused-e3. */
    private final Map<String, String> d = new java.util.HashMap<>();
    private String globexDelivery;

    /** Points the builder at the store under test. */
    abstract TestHerald.Builder store(TestHerald.Builder builder);

    @BeforeAll
    void buildTheScene() throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(request.getTarget().endsWith("/reject") ? 400 : 200).build();
            }
        });
        receiver.start();
        h = store(TestHerald.builder()).clock(clock).start();
        h.seed("acme", "order.created", "order.paid", "user.created");
        h.seed("globex");
        batchEp = endpoint("acme", "/reject", ",\"batch\":{\"max_events\":3},\"retry\":{\"policy\":\"exponential\",\"max_attempts\":1}");
        paidEp = endpoint("acme", "/ok", ",\"format\":\"event\",\"event_types\":[\"order.paid\"]");
        pausedEp = endpoint("acme", "/ok", ",\"format\":\"event\",\"event_types\":[\"user.created\"],\"status\":\"paused\"");
        endpoint("globex", "/ok", ",\"format\":\"event\"");

        t0 = clock.instant();
        var bulk = h.post("/v1/tenants/acme/events/bulk", "{\"events\":["
                + "{\"id\":\"e1\",\"type\":\"order.created\",\"data\":{\"n\":1}},"
                + "{\"id\":\"e2\",\"type\":\"order.paid\",\"data\":{\"n\":2,\"items\":[{\"sku\":\"a\"}]},\"ordering_key\":\"order-7\"},"
                + "{\"id\":\"e3\",\"type\":\"user.created\",\"data\":{\"n\":3}}]}");
        assertThat(bulk.status()).as(bulk.text()).isEqualTo(202);
        assertThat(h.post("/v1/tenants/globex/events", "{\"id\":\"e2\",\"type\":\"order.paid\",\"data\":{}}").status()).isEqualTo(202);
        d.put("batch-t0", only(awaitDeliveries("endpoint_id=" + batchEp, 1, "failed")));
        d.put("paid-e2", only(awaitDeliveries("endpoint_id=" + paidEp, 1, "delivered")));
        d.put("paused-e3", only(awaitDeliveries("endpoint_id=" + pausedEp, 1, "pending")));
        globexDelivery = Eventually.until("globex's delivery", Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/globex/deliveries?status=delivered").json().get("data"), data -> data.size() == 1)
                .get(0).get("id").stringValue();

        clock.tick(Duration.ofHours(1));
        t1 = clock.instant();
        assertThat(h.post("/v1/tenants/acme/events", "{\"id\":\"e4\",\"type\":\"order.paid\",\"data\":{\"n\":4}}").status()).isEqualTo(202);
        List<String> batches = awaitDeliveries("endpoint_id=" + batchEp, 2, "failed");
        d.put("batch-t1", batches.getFirst());
        d.put("paid-e4", awaitDeliveries("endpoint_id=" + paidEp, 2, "delivered").getFirst());
    }

    @AfterAll
    void stop() {
        h.close();
        receiver.close();
    }

    private String endpoint(String tenant, String path, String settings) {
        var r = h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"" + receiver.url(path) + "\"" + settings + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    /** Waits until the filtered list holds {@code n} deliveries, all in {@code status}; their ids, newest first. */
    private List<String> awaitDeliveries(String query, int n, String status) {
        JsonNode data = Eventually.until(n + " " + status + " deliveries for " + query, Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/deliveries?" + query).json().get("data"),
                list -> list.size() == n && list.valueStream().allMatch(x -> status.equals(x.get("status").stringValue())));
        return data.valueStream().map(x -> x.get("id").stringValue()).toList();
    }

    private static String only(List<String> ids) {
        assertThat(ids).hasSize(1);
        return ids.getFirst();
    }

    private static String q(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }

    /** The ids on the first page of acme's deliveries for {@code query}, by name where they have one. */
    private List<String> deliveries(String query) {
        var r = h.get("/v1/tenants/acme/deliveries?" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return names(r.json().get("data"));
    }

    private List<String> names(JsonNode data) {
        Map<String, String> byId = d.entrySet().stream().collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        return data.valueStream().map(x -> byId.getOrDefault(x.get("id").stringValue(), x.get("id").stringValue())).toList();
    }

    private List<String> eventIds(String query) {
        var r = h.get("/v1/tenants/acme/events" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().get("data").valueStream().map(x -> x.get("id").stringValue()).toList();
    }

    @Test
    void eventsAreListedNewestFirstWithTheirDataAsJson() {
        assertThat(eventIds("")).as("within one publish, later first").containsExactly("e4", "e3", "e2", "e1");

        JsonNode e2 = h.get("/v1/tenants/acme/events?type=order.paid").json().get("data").get(1);
        assertThat(e2.get("id").stringValue()).isEqualTo("e2");
        assertThat(e2.get("type").stringValue()).isEqualTo("order.paid");
        assertThat(e2.get("created_at").stringValue()).isEqualTo(t0.toString());
        assertThat(e2.get("ordering_key").stringValue()).isEqualTo("order-7");
        assertThat(e2.get("data").isObject()).as("data is the JSON object, not a string").isTrue();
        assertThat(e2.get("data").get("items").get(0).get("sku").stringValue()).isEqualTo("a");
        assertThat(h.get("/v1/tenants/acme/events").json().get("data").get(0).get("ordering_key").isNull()).isTrue();
    }

    @Test
    void eventsAreFilteredByTypeAndTime() {
        assertThat(eventIds("?type=order.paid")).containsExactly("e4", "e2");
        assertThat(eventIds("?type=user.created")).containsExactly("e3");
        assertThat(eventIds("?type=nobody.publishes")).isEmpty();
        assertThat(eventIds("?since=" + q(t1))).containsExactly("e4");
        assertThat(eventIds("?until=" + q(t1))).as("until is exclusive").containsExactly("e3", "e2", "e1");
        assertThat(eventIds("?since=" + q(t0) + "&until=" + q(t0.plusMillis(1)))).containsExactly("e3", "e2", "e1");
        assertThat(eventIds("?since=" + q(t0) + "&until=" + q(t0))).as("an empty range").isEmpty();
        assertThat(eventIds("?type=order.paid&until=" + q(t1))).containsExactly("e2");
        assertThat(eventIds("?since=" + q(t1.plusMillis(1)))).isEmpty();
        assertThat(eventIds("?since=2000-01-01T02:00:00%2B02:00&type=order.created")).containsExactly("e1");
        assertThat(h.get("/v1/tenants/globex/events").json().get("data")).singleElement()
                .satisfies(e -> assertThat(e.get("type").stringValue()).isEqualTo("order.paid"));
    }

    @Test
    void anEventShowsEveryDeliveryThatCarriesItInABatchOrAlone() {
        JsonNode e2 = h.get("/v1/tenants/acme/events/e2").json();
        assertThat(e2.get("type").stringValue()).isEqualTo("order.paid");
        assertThat(e2.get("data").get("n").intValue()).isEqualTo(2);
        assertThat(names(e2.get("deliveries"))).containsExactlyInAnyOrder("batch-t0", "paid-e2");
        JsonNode alone = e2.get("deliveries").valueStream().filter(x -> x.get("id").stringValue().equals(d.get("paid-e2")))
                .findFirst().orElseThrow();
        assertThat(alone.get("endpoint_id").stringValue()).isEqualTo(paidEp);
        assertThat(alone.get("status").stringValue()).isEqualTo("delivered");
        assertThat(alone.properties()).extracting(Map.Entry::getKey).containsExactly("id", "endpoint_id", "status");

        assertThat(names(h.get("/v1/tenants/acme/events/e1").json().get("deliveries"))).containsExactly("batch-t0");
        assertThat(names(h.get("/v1/tenants/acme/events/e3").json().get("deliveries")))
                .containsExactlyInAnyOrder("batch-t0", "paused-e3");
        assertThat(names(h.get("/v1/tenants/acme/events/e4").json().get("deliveries")))
                .containsExactlyInAnyOrder("batch-t1", "paid-e4");
        assertThat(h.get("/v1/tenants/acme/events/e3").json().get("deliveries").valueStream()
                .map(x -> x.get("status").stringValue()).toList()).containsExactlyInAnyOrder("failed", "pending");
    }

    @Test
    void anEventIdMayHoldAnyVisibleAsciiCharacter() {
        h.seed("initech");
        endpoint("initech", "/ok", ",\"format\":\"event\"");
        for (String id : List.of("order/42", "a?b=c&d#e", "100%", "a+b", "x:y;z", "~!@$^*()[]{}|\\'\"<>,")) {
            String json = tools.jackson.databind.json.JsonMapper.shared().writeValueAsString(id);
            assertThat(h.post("/v1/tenants/initech/events", "{\"id\":" + json + ",\"type\":\"user.created\",\"data\":{}}").status())
                    .isEqualTo(202);
            String path = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
            var r = h.get("/v1/tenants/initech/events/" + path);
            assertThat(r.status()).as(id + ": " + r.text()).isEqualTo(200);
            assertThat(r.json().get("id").stringValue()).isEqualTo(id);
            var filtered = h.get("/v1/tenants/initech/deliveries?event_id=" + path);
            assertThat(filtered.status()).as(id + ": " + filtered.text()).isEqualTo(200);
            assertThat(filtered.json().get("data")).as(id).hasSize(1);
        }
    }

    @Test
    void afterRetentionPurgedTheEventsTheirDeliveriesAreStillFoundByEventIdAndType() {
        SettableClock later = new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        try (TestHerald p = store(TestHerald.builder()).clock(later).set("HERALD_RETENTION", "1h").start()) {
            p.seed("acme", "order.created", "order.paid");
            var ep = p.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/reject") + "\",\"batch\":{\"max_events\":2},"
                    + "\"retry\":{\"policy\":\"exponential\",\"max_attempts\":1}}");
            assertThat(ep.status()).as(ep.text()).isEqualTo(201);
            assertThat(p.post("/v1/tenants/acme/events/bulk", "{\"events\":[{\"id\":\"p1\",\"type\":\"order.created\",\"data\":{}},"
                    + "{\"id\":\"p2\",\"type\":\"order.paid\",\"data\":{}}]}").status()).isEqualTo(202);
            String batch = Eventually.until("the batch fails", Duration.ofSeconds(10),
                    () -> p.get("/v1/tenants/acme/deliveries?status=failed").json().get("data"), data -> data.size() == 1)
                    .get(0).get("id").stringValue();

            later.tick(Duration.ofHours(2));
            assertThat(p.herald().engine().purgeNow()).as("the two events").isEqualTo(2);

            assertProblem(p.get("/v1/tenants/acme/events/p2"), 404);
            assertThat(p.get("/v1/tenants/acme/events").json().get("data")).isEmpty();
            for (String filter : List.of("event_type=order.paid", "event_type=order.created", "event_id=p2")) {
                assertThat(p.get("/v1/tenants/acme/deliveries?" + filter).json().get("data").valueStream()
                        .map(x -> x.get("id").stringValue()).toList()).as(filter).containsExactly(batch);
            }
        }
    }

    @Test
    void anotherTenantsEventIsNotFoundAndNeverInItsFilters() {
        assertProblem(h.get("/v1/tenants/globex/events/e1"), 404);
        assertProblem(h.get("/v1/tenants/acme/events/nobody"), 404);
        assertThat(h.get("/v1/tenants/acme/events/nobody").json().get("detail").stringValue()).contains("HERALD_RETENTION");
        assertProblem(h.get("/v1/tenants/nobody/events/e1"), 404);
        // the same id in both tenants: each sees only its own event and deliveries
        assertThat(names(h.get("/v1/tenants/globex/events/e2").json().get("deliveries"))).containsExactly(globexDelivery);
        assertThat(deliveries("event_id=e2")).containsExactlyInAnyOrder("batch-t0", "paid-e2").doesNotContain(globexDelivery);
        assertThat(h.get("/v1/tenants/globex/deliveries?event_id=e1").json().get("data")).isEmpty();
        assertThat(h.get("/v1/tenants/globex/deliveries?event_type=user.created").json().get("data")).isEmpty();
        assertThat(h.get("/v1/tenants/globex/deliveries?endpoint_id=" + paidEp).json().get("data")).isEmpty();

        String globexKey = h.post("/v1/tenants/globex/keys", null).json().get("key").stringValue();
        assertProblem(h.send("GET", "/v1/tenants/acme/events", null, globexKey), 404);
        assertProblem(h.send("GET", "/v1/tenants/acme/events/e2", null, globexKey), 404);
        assertProblem(h.send("GET", "/v1/tenants/acme/deliveries?event_id=e2", null, globexKey), 404);
        assertThat(h.send("GET", "/v1/tenants/globex/events/e2", null, globexKey).status()).isEqualTo(200);
    }

    @Test
    void eachDeliveryFilterAlone() {
        assertThat(deliveries("")).containsExactlyInAnyOrder("batch-t0", "batch-t1", "paid-e2", "paid-e4", "paused-e3");
        assertThat(deliveries("endpoint_id=" + paidEp)).containsExactly("paid-e4", "paid-e2");
        assertThat(deliveries("status=failed")).containsExactly("batch-t1", "batch-t0");
        assertThat(deliveries("status=pending")).containsExactly("paused-e3");
        assertThat(deliveries("event_id=e2")).containsExactlyInAnyOrder("batch-t0", "paid-e2");
        assertThat(deliveries("event_id=e4")).containsExactlyInAnyOrder("batch-t1", "paid-e4");
        assertThat(deliveries("event_id=nobody")).isEmpty();
        assertThat(deliveries("event_type=order.paid")).as("a batch holds the type when any of its events has it")
                .containsExactlyInAnyOrder("batch-t0", "batch-t1", "paid-e2", "paid-e4");
        assertThat(deliveries("event_type=user.created")).containsExactlyInAnyOrder("batch-t0", "paused-e3");
        assertThat(deliveries("event_type=order.created")).containsExactly("batch-t0");
        assertThat(deliveries("event_type=batch")).as("'batch' is no event's type").isEmpty();
        assertThat(deliveries("since=" + q(t1))).containsExactlyInAnyOrder("batch-t1", "paid-e4");
        assertThat(deliveries("until=" + q(t1))).containsExactlyInAnyOrder("batch-t0", "paid-e2", "paused-e3");
    }

    @Test
    void deliveryFiltersCombine() {
        assertThat(deliveries("event_type=order.paid&status=failed")).containsExactly("batch-t1", "batch-t0");
        assertThat(deliveries("event_type=order.paid&status=failed&since=" + q(t1))).containsExactly("batch-t1");
        assertThat(deliveries("event_id=e2&endpoint_id=" + batchEp)).containsExactly("batch-t0");
        assertThat(deliveries("event_id=e2&endpoint_id=" + pausedEp)).isEmpty();
        assertThat(deliveries("event_id=e3&event_type=user.created&status=pending")).containsExactly("paused-e3");
        assertThat(deliveries("event_id=e4&event_type=order.created")).isEmpty();
        assertThat(deliveries("endpoint_id=" + paidEp + "&status=delivered&since=" + q(t0) + "&until=" + q(t1)))
                .containsExactly("paid-e2");
        assertThat(deliveries("endpoint_id=" + batchEp + "&event_type=order.paid&event_id=e4&status=failed&since="
                + q(t1) + "&until=" + q(t1.plusSeconds(1)))).containsExactly("batch-t1");
    }

    @Test
    void aFilteredListIsWalkedPageByPage() {
        for (String query : List.of("event_type=order.paid", "status=failed", "event_id=e2", "until=" + q(t1),
                "event_type=order.paid&since=" + q(t0))) {
            List<String> walked = new ArrayList<>();
            String cursor = null;
            do {
                var page = h.get("/v1/tenants/acme/deliveries?" + query + "&limit=1" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).as(page.text()).isEqualTo(200);
                assertThat(page.json().get("data").size()).isLessThanOrEqualTo(1);
                walked.addAll(names(page.json().get("data")));
                JsonNode next = page.json().get("next_cursor");
                cursor = next.isNull() ? null : next.stringValue();
            } while (cursor != null);
            assertThat(walked).as(query).isEqualTo(deliveries(query)).doesNotHaveDuplicates();
        }
        List<String> events = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = h.get("/v1/tenants/acme/events?type=order.paid&limit=1" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("data").forEach(e -> events.add(e.get("id").stringValue()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").stringValue();
        } while (cursor != null);
        assertThat(events).containsExactly("e4", "e2");
    }

    @Test
    void aReadOnlyPortalSessionReadsEventsAndFiltersDeliveries() {
        String token = h.post("/v1/tenants/acme/portal-sessions", "{\"read_only\": true}").json().get("token").stringValue();

        assertThat(h.send("GET", "/v1/tenants/acme/events?type=order.paid", null, token).json().get("data")).hasSize(2);
        assertThat(h.send("GET", "/v1/tenants/acme/events/e2", null, token).json().get("deliveries")).hasSize(2);
        var filtered = h.send("GET", "/v1/tenants/acme/deliveries?event_type=user.created&status=pending", null, token);
        assertThat(names(filtered.json().get("data"))).containsExactly("paused-e3");
        assertProblem(h.send("POST", "/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}", token), 403);
        assertProblem(h.send("GET", "/v1/tenants/globex/events/e2", null, token), 404);
    }

    @Test
    void badFilterValuesAre400NamingTheParameter() {
        for (String path : List.of("/v1/tenants/acme/events?", "/v1/tenants/acme/deliveries?")) {
            var reversed = h.get(path + "since=" + q(t1) + "&until=" + q(t0));
            assertProblem(reversed, 400);
            assertThat(reversed.json().get("field").stringValue()).isEqualTo("since");
            assertThat(reversed.json().get("detail").stringValue()).contains("until");
            for (String bad : List.of("yesterday", "2026-01-01", "2026-01-01T00:00:00")) {
                var r = h.get(path + "until=" + bad);
                assertProblem(r, 400);
                assertThat(r.json().get("field").stringValue()).isEqualTo("until");
                assertThat(r.json().get("detail").stringValue()).contains("RFC 3339");
            }
        }
        for (String[] bad : new String[][] {{"events", "type", "has%20space"}, {"deliveries", "event_type", "a%00b"},
                {"deliveries", "event_id", "nul%00"}, {"deliveries", "event_id", "x".repeat(256)},
                {"deliveries", "endpoint_id", "%00"}, {"deliveries", "event_type", "caf%C3%A9"}}) {
            var r = h.get("/v1/tenants/acme/" + bad[0] + "?" + bad[1] + "=" + bad[2]);
            assertProblem(r, 400);
            assertThat(r.json().get("field").stringValue()).isEqualTo(bad[1]);
        }
        assertProblem(h.get("/v1/tenants/acme/deliveries?status=lost"), 400);
    }

    @Test
    void aCursorOfTheDeliveryListIsRefusedByTheEventsList() {
        String deliveriesCursor = h.get("/v1/tenants/acme/deliveries?limit=1").json().get("next_cursor").stringValue();
        var r = h.get("/v1/tenants/acme/events?cursor=" + deliveriesCursor);
        assertProblem(r, 400);
        assertThat(r.json().get("field").stringValue()).isEqualTo("cursor");
        String endpointsCursor = h.get("/v1/tenants/acme/endpoints?limit=1").json().get("next_cursor").stringValue();
        assertProblem(h.get("/v1/tenants/acme/deliveries?cursor=" + endpointsCursor), 400);
    }
}
