package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Retry policies in milliseconds of wall time: the clock is moved, never slept on. Runs on every store
 * ({@link SqliteRetryTest}, {@link PostgresqlRetryTest}).
 */
abstract class RetryTest {
    private final MockWebServer receiver = new MockWebServer();
    private final SettableClock clock = new SettableClock(Instant.now());
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    /** Points the builder at the store under test. */
    abstract TestHerald.Builder store(TestHerald.Builder builder);

    private void start(double jitter) throws Exception {
        receiver.start();
        // why: these tests walk whole retry schedules; an endpoint failing for 5 days would be paused midway
        h = store(TestHerald.builder()).clock(clock).jitter(jitter).set("HERALD_PAUSE_FAILING_AFTER", "0").start();
        h.seed("acme", "order.paid");
    }

    private String endpoint(String settings) {
        JsonNode e = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\"" + settings + "}").json();
        assertThat(e.get("id")).as("endpoint created: %s", e).isNotNull();
        return e.get("id").stringValue();
    }

    private void publish(String id) {
        assertThat(h.post("/v1/tenants/acme/events", "{\"id\":\"" + id + "\",\"type\":\"order.paid\",\"data\":{\"id\":\"" + id + "\"}}")
                .status()).isEqualTo(202);
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the receiver").isNotNull();
        return r;
    }

    private JsonNode delivery(String id) {
        return h.get("/v1/tenants/acme/deliveries/" + id).json();
    }

    /** Waits until the attempt just received is recorded, then moves the clock to the next one. */
    private JsonNode advanceToNextAttempt(String id, int attemptsSoFar) throws InterruptedException {
        JsonNode d = awaitAttempts(id, attemptsSoFar);
        if ("pending".equals(d.get("status").stringValue())) {
            clock.set(Instant.parse(d.get("next_attempt_at").stringValue()));
            h.herald().engine().wake();
        }
        return d;
    }

    private JsonNode awaitAttempts(String id, int n) {
        return Eventually.until("delivery " + id + " reaches " + n + " attempts", Duration.ofSeconds(10),
                () -> delivery(id), d -> d.get("attempt_count").intValue() >= n);
    }

    /** Makes the receiver answer every request with {@code code}. */
    private void answerAlways(int code) {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return status(code);
            }
        });
    }

    private static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).build();
    }

    @Test
    void retriesSendIdenticalBytesWithCountingRetryHeaderUntilDelivered() throws Exception {
        start(0.5);
        receiver.enqueue(status(500));
        receiver.enqueue(status(503));
        receiver.enqueue(status(200));
        endpoint(",\"format\":\"event\",\"retry\":{\"policy\":\"exponential\",\"max_attempts\":3,\"initial_delay_ms\":1000}");
        publish("e1");
        List<RecordedRequest> requests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordedRequest r = take();
            requests.add(r);
            advanceToNextAttempt(r.getHeaders().get("X-Webhook-Delivery"), i + 1);
        }
        String id = requests.getFirst().getHeaders().get("X-Webhook-Delivery");
        assertThat(requests).extracting(r -> r.getHeaders().get("X-Webhook-Retry")).containsExactly("0", "1", "2");
        assertThat(requests).extracting(r -> r.getHeaders().get("X-Webhook-Delivery")).containsOnly(id);
        assertThat(requests).extracting(r -> r.getBody().string(StandardCharsets.UTF_8)).containsOnly(
                requests.getFirst().getBody().string(StandardCharsets.UTF_8));
        assertThat(new HashSet<>(requests.stream().map(r -> r.getHeaders().get("X-Request-ID")).toList())).hasSize(3);
        JsonNode d = DeliveryTest.awaitStatus(h, id, "delivered");
        assertThat(d.get("attempts")).extracting(a -> a.get("status_code").intValue()).containsExactly(500, 503, 200);
        Instant first = Instant.parse(d.get("attempts").get(0).get("at").stringValue());
        Instant second = Instant.parse(d.get("attempts").get(1).get("at").stringValue());
        Instant third = Instant.parse(d.get("attempts").get(2).get("at").stringValue());
        assertThat(Duration.between(first, second)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Duration.between(second, third)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void defaultPolynomialPolicyMakes26AttemptsOver30Days() throws Exception {
        start(0.0); // the largest shrink the jitter allows: the bound must still hold
        answerAlways(500);
        endpoint(",\"batch\":{\"max_events\":1,\"window_ms\":100}");
        publish("e1");
        String id = null;
        for (int i = 1; i <= 26; i++) {
            RecordedRequest r = take();
            id = r.getHeaders().get("X-Webhook-Delivery");
            assertThat(r.getHeaders().get("X-Webhook-Retry")).isEqualTo(Integer.toString(i - 1));
            advanceToNextAttempt(id, i);
        }
        JsonNode d = DeliveryTest.awaitStatus(h, id, "failed");
        assertThat(d.get("attempt_count").intValue()).isEqualTo(26);
        Instant first = Instant.parse(d.get("attempts").get(0).get("at").stringValue());
        Instant last = Instant.parse(d.get("attempts").get(25).get("at").stringValue());
        assertThat(Duration.between(first, last)).isBetween(Duration.ofDays(29), Duration.ofDays(31));
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("no 27th attempt").isNull();
    }

    @Test
    void defaultExponentialPolicyMakesThreeAttemptsAMinuteThenTwoApart() throws Exception {
        start(0.5);
        answerAlways(502);
        endpoint(",\"format\":\"event\"");
        publish("e1");
        String id = null;
        for (int i = 1; i <= 3; i++) {
            id = take().getHeaders().get("X-Webhook-Delivery");
            advanceToNextAttempt(id, i);
        }
        JsonNode d = DeliveryTest.awaitStatus(h, id, "failed");
        List<Instant> at = new ArrayList<>();
        d.get("attempts").forEach(a -> at.add(Instant.parse(a.get("at").stringValue())));
        assertThat(at).hasSize(3);
        assertThat(Duration.between(at.get(0), at.get(1))).isEqualTo(Duration.ofMinutes(1));
        assertThat(Duration.between(at.get(1), at.get(2))).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void onServerErrorsAnotherClientErrorFailsAtOnceWhileNon2xxRetriesIt() throws Exception {
        start(0.5);
        answerAlways(400);
        String strict = endpoint(",\"format\":\"event\"");
        String patient = endpoint(",\"format\":\"event\",\"retry\":{\"on\":\"non_2xx\"}");
        publish("e1");
        take();
        take();
        JsonNode failed = firstDelivery(strict);
        JsonNode retrying = firstDelivery(patient);
        assertThat(DeliveryTest.awaitStatus(h, failed.get("id").stringValue(), "failed").get("attempt_count").intValue()).isEqualTo(1);
        JsonNode r = awaitAttempts(retrying.get("id").stringValue(), 1);
        assertThat(r.get("status").stringValue()).isEqualTo("pending");
        assertThat(r.get("next_attempt_at").isNull()).isFalse();
    }

    @Test
    void retryAfterOn429LengthensTheDelayButNeverBeyondThePolicysLongest() throws Exception {
        start(0.5);
        receiver.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "120").build());
        receiver.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "999999").build());
        endpoint(",\"format\":\"event\",\"retry\":{\"policy\":\"exponential\",\"max_attempts\":10,\"initial_delay_ms\":1000}");
        publish("e1");
        String id = take().getHeaders().get("X-Webhook-Delivery");
        JsonNode d = advanceToNextAttempt(id, 1);
        assertThat(gap(d)).isEqualTo(Duration.ofSeconds(120));
        take();
        d = awaitAttempts(id, 2);
        assertThat(gap(d)).as("capped at the longest delay, 1 s · 2^8").isEqualTo(Duration.ofSeconds(256));
    }

    @Test
    void goneEndpointIsPausedAndItsDeliveriesWaitUntilResumed() throws Exception {
        start(0.5);
        receiver.enqueue(status(410));
        String endpoint = endpoint(",\"format\":\"event\"");
        publish("e1");
        String first = take().getHeaders().get("X-Webhook-Delivery");
        JsonNode paused = awaitEndpointStatus(endpoint, "paused");
        assertThat(paused.get("paused_reason").stringValue()).contains("410");
        publish("e2");
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("nothing is sent while paused").isNull();

        receiver.enqueue(status(200));
        receiver.enqueue(status(200));
        assertThat(h.patch("/v1/tenants/acme/endpoints/" + endpoint, "{\"status\":\"active\"}").json()
                .get("paused_reason").isNull()).isTrue();
        List<String> ids = List.of(take().getHeaders().get("X-Webhook-Delivery"), take().getHeaders().get("X-Webhook-Delivery"));
        assertThat(ids).contains(first);
        for (String id : ids) {
            DeliveryTest.awaitStatus(h, id, "delivered");
        }
    }

    @Test
    void anAnswerSlowerThanTheTimeoutIsCutOffAtTheDeadlineAndRetried() throws Exception {
        start(0.5);
        receiver.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).build());
        receiver.enqueue(new MockResponse.Builder().code(200).body("{}").bodyDelay(3, TimeUnit.SECONDS).build());
        receiver.enqueue(status(200));
        endpoint(",\"format\":\"event\",\"timeout_ms\":300,"
                + "\"retry\":{\"policy\":\"exponential\",\"max_attempts\":3,\"initial_delay_ms\":1000}");
        publish("e1");
        String id = take().getHeaders().get("X-Webhook-Delivery");
        advanceToNextAttempt(id, 1);
        take();
        advanceToNextAttempt(id, 2);
        take();

        JsonNode d = DeliveryTest.awaitStatus(h, id, "delivered");
        JsonNode attempts = d.get("attempts");
        for (int i = 0; i < 2; i++) {
            JsonNode a = attempts.get(i);
            assertThat(a.get("status_code").isNull()).as("attempt %d has no status: %s", i + 1, a).isTrue();
            assertThat(a.get("error").stringValue()).isEqualTo("timed out after 300 ms");
            assertThat(a.get("duration_ms").longValue()).as("cut off at the deadline, not when the receiver answered")
                    .isBetween(300L, 1_500L);
        }
        assertThat(attempts.get(2).get("status_code").intValue()).isEqualTo(200);
    }

    @Test
    void exhaustedDeliveryIsFailedAndAManualRetrySendsTheSameIdAndBody() throws Exception {
        start(0.5);
        receiver.enqueue(status(500));
        receiver.enqueue(status(204));
        endpoint(",\"format\":\"event\",\"retry\":{\"max_attempts\":1}");
        publish("e1");
        RecordedRequest first = take();
        String id = first.getHeaders().get("X-Webhook-Delivery");
        DeliveryTest.awaitStatus(h, id, "failed");
        assertThat(h.get("/v1/tenants/acme/deliveries?status=failed").json().get("data").get(0).get("id").stringValue()).isEqualTo(id);

        var retried = h.post("/v1/tenants/acme/deliveries/" + id + "/retry", "");
        assertThat(retried.status()).isEqualTo(202);
        RecordedRequest again = take();
        assertThat(again.getHeaders().get("X-Webhook-Delivery")).isEqualTo(id);
        assertThat(again.getHeaders().get("X-Webhook-Retry")).isEqualTo("1");
        assertThat(again.getBody()).isEqualTo(first.getBody());
        DeliveryTest.awaitStatus(h, id, "delivered");
        assertThat(h.post("/v1/tenants/acme/deliveries/" + id + "/retry", "").status()).as("only failed ones").isEqualTo(409);
    }

    @Test
    void pausedEndpointCollectsAndSendsEverythingOnResume() throws Exception {
        start(0.5);
        String endpoint = endpoint(",\"format\":\"event\",\"status\":\"paused\"");
        for (int i = 0; i < 5; i++) {
            publish("e" + i);
        }
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("nothing is sent while paused").isNull();
        for (int i = 0; i < 5; i++) {
            receiver.enqueue(status(200));
        }
        h.patch("/v1/tenants/acme/endpoints/" + endpoint, "{\"status\":\"active\"}");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(dev.herald.json.Json.parse(take().getBody().string(StandardCharsets.UTF_8)).get("data").get("id").stringValue());
        }
        assertThat(got).containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4");
    }

    private JsonNode firstDelivery(String endpointId) {
        return Eventually.until("a delivery for endpoint " + endpointId, Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/deliveries?endpoint_id=" + endpointId).json().get("data"),
                list -> !list.isEmpty()).get(0);
    }

    private JsonNode awaitEndpointStatus(String endpointId, String status) {
        return Eventually.until("endpoint " + endpointId + " becomes " + status, Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/endpoints/" + endpointId).json(),
                e -> status.equals(e.get("status").stringValue()));
    }

    private static Duration gap(JsonNode d) {
        JsonNode last = d.get("attempts").get(d.get("attempts").size() - 1);
        return Duration.between(Instant.parse(last.get("at").stringValue()), Instant.parse(d.get("next_attempt_at").stringValue()));
    }
}
