package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An endpoint's event_types may hold wildcards: {@code prefix.*} and {@code *}, checked for form, not for types. */
class WildcardSubscriptionTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("wild", "order.paid", "order.line.added", "orders.x", "audit.entry");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static TestHerald.Response register(String url, String types) {
        return h.post("/v1/tenants/wild/endpoints", "{\"url\":\"" + url + "\",\"format\":\"event\",\"event_types\":" + types + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"order.*\"]", "[\"*\"]", "[\"nothing.yet.*\"]", "[\"order.paid\", \"audit.*\", \"*\"]",
            "[\"a:b-c_d.*\"]"})
    void aWellFormedWildcardIsAcceptedWhetherOrNotATypeMatchesIt(String types) {
        var r = register("http://127.0.0.1:9/h", types);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(h.get("/v1/tenants/wild/endpoints/" + r.json().get("id").stringValue()).json().get("event_types").toString())
                .isEqualTo(types.replace(" ", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ord*", "order*", ".*", "order.*.paid", "**", "*.paid", "order.**", "order. *", "order.?"})
    void aMalformedWildcardIs422NamingTheEntryAndTheForms(String entry) {
        var r = register("http://127.0.0.1:9/h", "[\"order.paid\", " + ApiAssertions.quote(entry) + "]");
        assertInvalid(r, "event_types[1]");
        assertThat(r.json().get("detail").stringValue()).contains("'.*'").contains("'*'");
    }

    @Test
    void anExactNameMustStillBeInTheCatalogue() {
        var r = register("http://127.0.0.1:9/h", "[\"order.*\", \"order.unknown\"]");
        assertInvalid(r, "event_types");
        assertThat(r.json().get("detail").stringValue()).contains("order.unknown").doesNotContain("order.*");
    }

    @Test
    void eachEndpointReceivesTheTypesItsEntriesSelect() throws Exception {
        try (MockWebServer prefix = receiver(); MockWebServer star = receiver(); MockWebServer exact = receiver();
             MockWebServer other = receiver()) {
            String prefixId = id(register(prefix.url("/h").toString(), "[\"order.*\"]"));
            String starId = id(register(star.url("/h").toString(), "[\"*\"]"));
            String exactId = id(register(exact.url("/h").toString(), "[\"order.paid\"]"));
            String otherId = id(register(other.url("/h").toString(), "[\"orders.x\", \"audit.*\"]"));

            for (String type : List.of("order.paid", "orders.x", "order.line.added", "audit.entry")) {
                assertThat(h.post("/v1/tenants/wild/events", "{\"type\":\"" + type + "\",\"data\":{}}").status()).isEqualTo(202);
            }

            // why: a per-event delivery is sealed by the publish itself, so these counts are final once it answered
            assertThat(deliveries(prefixId)).isEqualTo(2);
            assertThat(deliveries(starId)).isEqualTo(4);
            assertThat(deliveries(exactId)).isEqualTo(1);
            assertThat(deliveries(otherId)).isEqualTo(2);
            assertThat(received(prefix, 2)).containsExactlyInAnyOrder("order.paid", "order.line.added");
            assertThat(received(star, 4)).containsExactlyInAnyOrder("order.paid", "orders.x", "order.line.added", "audit.entry");
            assertThat(received(exact, 1)).containsExactly("order.paid");
            assertThat(received(other, 2)).containsExactlyInAnyOrder("orders.x", "audit.entry");
        }
    }

    private static MockWebServer receiver() throws Exception {
        MockWebServer server = new MockWebServer();
        for (int i = 0; i < 8; i++) {
            server.enqueue(new MockResponse.Builder().code(200).build());
        }
        server.start();
        return server;
    }

    private static String id(TestHerald.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    private static int deliveries(String endpointId) {
        return h.get("/v1/tenants/wild/deliveries?limit=100&endpoint_id=" + endpointId).json().get("data").size();
    }

    /** The types of the {@code n} events {@code server} received. */
    private static List<String> received(MockWebServer server, int n) throws InterruptedException {
        List<String> types = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
            assertThat(r).as("delivery %d of %d", i + 1, n).isNotNull();
            types.add(r.getHeaders().get("X-Webhook-Event"));
            assertThat(r.getBody().string(StandardCharsets.UTF_8)).contains("\"event\":\"" + types.getLast() + "\"");
        }
        return types;
    }
}
