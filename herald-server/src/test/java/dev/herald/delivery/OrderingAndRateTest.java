package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Ordering per key: one delivery of a key in flight at a time, in publish order, a retry holding back only its
 * own key while the others flow in parallel up to the cap. And {@code rate_limit_per_s}: no second holds more
 * starts than the limit.
 */
class OrderingAndRateTest {
    private final MockWebServer receiver = new MockWebServer();
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    private TestHerald start(String database) throws Exception {
        receiver.start();
        h = database.equals("sqlite") ? TestHerald.sqlite() : TestHerald.postgres();
        h.seed("acme", "t");
        return h;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void eachKeyArrivesInPublishOrderOneAtATimeWhileAFailingKeyHoldsBackOnlyItself(String database) throws Exception {
        Map<String, List<Integer>> delivered = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inFlightByKey = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger mostOfOneKey = new AtomicInteger();
        AtomicInteger badFailures = new AtomicInteger();
        List<String> arrivalKeys = new CopyOnWriteArrayList<>();
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
                JsonNode data = Json.parse(r.getBody().string(StandardCharsets.UTF_8)).get("data");
                String key = data.get("key").stringValue();
                int n = data.get("n").intValue();
                mostOfOneKey.accumulateAndGet(inFlightByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet(), Math::max);
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(20);
                    arrivalKeys.add(key);
                    // why: the bad key fails its first attempts for a while; its later events must wait, the others not
                    if (key.equals("bad") && badFailures.get() < 4) {
                        badFailures.incrementAndGet();
                        return new MockResponse.Builder().code(503).build();
                    }
                    delivered.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(n);
                    return new MockResponse.Builder().code(200).build();
                } finally {
                    inFlightByKey.get(key).decrementAndGet();
                    inFlight.decrementAndGet();
                }
            }
        });
        start(database);
        assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                + "\"ordering\":\"key\",\"retry\":{\"max_attempts\":10,\"initial_delay_ms\":100}}").status()).isEqualTo(201);
        List<String> keys = List.of("bad", "k1", "k2", "k3", "k4", "k5");
        StringBuilder bulk = new StringBuilder("{\"events\":[");
        int perKey = 12;
        for (int n = 0; n < perKey; n++) {
            for (String key : keys) {
                bulk.append(bulk.length() > 11 ? "," : "").append("{\"type\":\"t\",\"ordering_key\":\"").append(key)
                        .append("\",\"data\":{\"key\":\"").append(key).append("\",\"n\":").append(n).append("}}");
            }
        }
        assertThat(h.post("/v1/tenants/acme/events/bulk", bulk.append("]}").toString()).status()).isEqualTo(202);

        Eventually.until("every event arrives", Duration.ofSeconds(60),
                () -> delivered.values().stream().mapToInt(List::size).sum(), total -> total == keys.size() * perKey);

        List<Integer> inOrder = new ArrayList<>();
        for (int n = 0; n < perKey; n++) {
            inOrder.add(n);
        }
        for (String key : keys) {
            assertThat(delivered.get(key)).as("key %s in publish order", key).containsExactlyElementsOf(inOrder);
        }
        assertThat(mostOfOneKey.get()).as("never two of one key at once").isEqualTo(1);
        assertThat(mostInFlight.get()).as("the keys go out in parallel").isGreaterThan(1).isLessThanOrEqualTo(8);
        assertThat(badFailures.get()).isEqualTo(4);
        int lastOther = 0;
        int firstBadSuccess = -1;
        for (int i = 0; i < arrivalKeys.size(); i++) {
            if (!arrivalKeys.get(i).equals("bad")) {
                lastOther = i;
            }
        }
        int badSeen = 0;
        for (int i = 0; i < arrivalKeys.size() && firstBadSuccess < 0; i++) {
            if (arrivalKeys.get(i).equals("bad") && ++badSeen == 5) {
                firstBadSuccess = i;
            }
        }
        assertThat(firstBadSuccess).as("while the bad key was retried, the other keys went on").isGreaterThan(keys.size());
        assertThat(lastOther).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void noSecondHoldsMoreStartsThanTheRateLimit(String database) throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                arrivals.add(System.nanoTime());

                return new MockResponse.Builder().code(200).build();
            }
        });
        start(database);
        assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                + "\"rate_limit_per_s\":20}").status()).isEqualTo(201);
        StringBuilder bulk = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 50; i++) {
            bulk.append(i > 0 ? "," : "").append("{\"type\":\"t\",\"data\":{\"key\":\"x\",\"n\":").append(i).append("}}");
        }
        assertThat(h.post("/v1/tenants/acme/events/bulk", bulk.append("]}").toString()).status()).isEqualTo(202);

        Eventually.until("every event arrives", Duration.ofSeconds(30), arrivals::size, n -> n == 50);

        // why: the starts as Herald recorded them (each attempt's `at`): arrival times at the receiver carry the
        // scheduling noise of a loaded machine, the starts are what the limit governs
        List<Long> sorted = Eventually.until("every attempt is recorded", Duration.ofSeconds(30), () -> h.herald().database().read(c -> {
            List<Long> out = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT at FROM attempts ORDER BY at")) {
                while (rs.next()) {
                    out.add(TimeUnit.MILLISECONDS.toNanos(rs.getLong(1)));
                }
            }
            return out;
        }), all -> all.size() == 50);
        for (int i = 20; i < sorted.size(); i++) {
            assertThat(sorted.get(i) - sorted.get(i - 20)).as("21 starts within one second at start %d", i)
                    
                    // why: the stored times are whole milliseconds, read a moment after the start the limit counts
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(980));
        }
        assertThat(sorted.getLast() - sorted.getFirst()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1900));
    }
}
