package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Eventually;
import dev.herald.testing.HostileReceiver;
import dev.herald.testing.HostileReceiver.Behaviour;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Receivers that misbehave as real ones do, beside a healthy tenant, on both stores. Each case asserts the
 * same three things: nothing acknowledged is lost (every event has its delivery, in a state the log shows),
 * the other tenant is unaffected (all its events arrive), and Herald goes on without a restart.
 */
class FaultInjectionTest {
    private static final int HOSTILE_EVENTS = 10;
    private static final int HEALTHY_EVENTS = 40;

    private final MockWebServer healthy = new MockWebServer();
    private TestHerald h;

    @BeforeEach
    void answerEverythingWith200() {
        healthy.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        healthy.close();
    }

    static Stream<Arguments> hostileReceivers() {
        List<Arguments> out = new ArrayList<>();
        for (String database : List.of("sqlite", "postgresql")) {
            for (Behaviour b : List.of(Behaviour.HANG, Behaviour.TRICKLE, Behaviour.NUL_BODY, Behaviour.HUGE_BODY, Behaviour.RESET)) {
                out.add(Arguments.of(database, b));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("hostileReceivers")
    void aHostileReceiverLosesNothingAndHoldsUpNoOtherTenant(String database, Behaviour behaviour) throws Exception {
        try (HostileReceiver hostile = new HostileReceiver(behaviour)) {
            h = start(database);
            endpoint("evil", hostile.url("/hook"), 1_000);
            endpoint("good", healthy.url("/hook").toString(), 10_000);

            for (int i = 0; i < HEALTHY_EVENTS; i++) {
                if (i < HOSTILE_EVENTS) {
                    assertThat(publish("evil", "bad-" + i)).isEqualTo(202);
                }
                assertThat(publish("good", "fine-" + i)).isEqualTo(202);
            }

            Eventually.until("the healthy tenant's events all arrive", Duration.ofSeconds(20), healthy::getRequestCount,
                    n -> n >= HEALTHY_EVENTS);
            assertThat(awaitFinished("good", HEALTHY_EVENTS)).allSatisfy(d ->
                    assertThat(d.get("status").stringValue()).isEqualTo("delivered"));
            List<JsonNode> evil = awaitFinished("evil", HOSTILE_EVENTS);
            for (JsonNode listed : evil) {
                JsonNode d = h.get("/v1/tenants/evil/deliveries/" + listed.get("id").stringValue()).json();
                JsonNode attempt = d.get("attempts").get(0);
                switch (behaviour) {
                    case NUL_BODY -> {
                        assertThat(d.get("status").stringValue()).isEqualTo("delivered");
                        assertThat(attempt.get("response_body").stringValue()).startsWith("ok\ufffd").doesNotContain("\u0000");
                    }
                    case HUGE_BODY -> {
                        assertThat(d.get("status").stringValue()).isEqualTo("delivered");
                        assertThat(attempt.get("response_body").stringValue()).hasSize(4096);
                    }
                    case HANG, TRICKLE -> {
                        assertThat(d.get("status").stringValue()).isEqualTo("failed");
                        assertThat(attempt.get("error").stringValue()).startsWith("timed out after 1000 ms");
                    }
                    default -> {
                        assertThat(d.get("status").stringValue()).isEqualTo("failed");
                        assertThat(attempt.get("status_code").isNull()).isTrue();
                        assertThat(attempt.get("error").stringValue()).isNotBlank();
                    }
                }
            }
            assertThat(h.get("/readyz").status()).isEqualTo(200);
            assertThat(h.herald().engine().attemptsInFlight()).as("every slot was given back").isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anOutcomeThatCannotBeWrittenIsDroppedAndHoldsUpNoOtherOutcome(String database) throws Exception {
        CountDownLatch poisoned = new CountDownLatch(1);
        healthy.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
                if ("/poison".equals(r.getTarget())) {
                    poisoned.await(10, TimeUnit.SECONDS);
                }
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        h = start(database);
        endpoint("evil", healthy.url("/poison").toString(), 10_000);
        endpoint("good", healthy.url("/hook").toString(), 10_000);
        assertThat(publish("evil", "poison")).isEqualTo(202);
        String poison = Eventually.until("the poisoned delivery is in flight", Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/evil/deliveries").json().get("data"), d -> d.size() == 1).get(0).get("id").stringValue();
        // why: an attempt row already holding the number this attempt will write makes its outcome unwritable
        h.herald().database().inTransaction(c -> c.createStatement().executeUpdate(
                "INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms) VALUES ('" + poison + "', 1, 0, 299, 0)"));
        for (int i = 0; i < HEALTHY_EVENTS; i++) {
            assertThat(publish("good", "fine-" + i)).isEqualTo(202);
        }

        poisoned.countDown();

        assertThat(awaitFinished("good", HEALTHY_EVENTS)).allSatisfy(d ->
                assertThat(d.get("status").stringValue()).isEqualTo("delivered"));
        Eventually.until("the unwritable outcome is dropped and counted", Duration.ofSeconds(10),
                () -> h.get("/metrics").text(), m -> m.contains("herald_outcomes_dropped_total 1.0"));
        assertThat(h.get("/v1/tenants/evil/deliveries/" + poison).json().get("status").stringValue())
                .as("its delivery stays pending under its lease, to be sent again").isEqualTo("pending");
        assertThat(publish("good", "after")).isEqualTo(202);
        assertThat(awaitFinished("good", HEALTHY_EVENTS + 1)).hasSize(HEALTHY_EVENTS + 1);
        assertThat(h.herald().engine().attemptsInFlight()).as("the dropped outcome's slot was given back too").isZero();
    }

    private TestHerald start(String database) throws Exception {
        healthy.start();
        TestHerald started = database.equals("sqlite") ? TestHerald.sqlite() : TestHerald.postgres();
        started.seed("evil", "t");
        started.seed("good", "t");
        return started;
    }

    private void endpoint(String tenant, String url, int timeoutMs) {
        assertThat(h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"" + url + "\",\"format\":\"event\","
                + "\"timeout_ms\":" + timeoutMs + ",\"retry\":{\"max_attempts\":1}}").status()).isEqualTo(201);
    }

    private int publish(String tenant, String id) {
        return h.post("/v1/tenants/" + tenant + "/events", "{\"id\":\"" + id + "\",\"type\":\"t\",\"data\":{\"n\":1}}").status();
    }

    /** Waits until the tenant has {@code n} deliveries and none is pending; answers them. */
    private List<JsonNode> awaitFinished(String tenant, int n) {
        JsonNode page = Eventually.until(tenant + "'s " + n + " deliveries finish", Duration.ofSeconds(30),
                () -> h.get("/v1/tenants/" + tenant + "/deliveries?limit=250").json().get("data"),
                d -> d.size() == n && d.valueStream().noneMatch(x -> x.get("status").stringValue().equals("pending")));
        List<JsonNode> out = new ArrayList<>();
        page.forEach(out::add);
        return out;
    }
}
