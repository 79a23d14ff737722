package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Publishing events: one, in bulk, idempotent by id, all or nothing, with queue rows for subscribers only. */
class PublishTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("pub-seed", "pub.a", "pub.b", "pub.c");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static long count(String sql, Object... args) {
        return h.herald().database().read(c -> {
            try (var s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                try (var rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static long events(String tenant) {
        return count("SELECT COUNT(*) FROM events WHERE tenant_id = ?", tenant);
    }

    private static String bulk(int n, String tenantPrefix) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(tenantPrefix).append(i).append("\",\"type\":\"pub.a\",\"data\":{\"i\":")
                    .append(i).append("}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void singlePublish() {
        h.seed("pub-one");
        Instant before = Instant.now().minusSeconds(1);
        var r = h.post("/v1/tenants/pub-one/events", "{\"id\":\"evt-1\",\"type\":\"pub.a\",\"data\":{\"amount\":42}}");
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        assertThat(r.json().get("id").stringValue()).isEqualTo("evt-1");
        Instant created = Instant.parse(r.json().get("created_at").stringValue());
        assertThat(created).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(events("pub-one")).isEqualTo(1);
        String data = h.herald().database().read(c -> {
            try (var s = c.prepareStatement("SELECT data FROM events WHERE tenant_id = 'pub-one' AND id = 'evt-1'");
                 var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(dev.herald.json.Json.parse(data)).isEqualTo(dev.herald.json.Json.parse("{\"amount\":42}"));
    }

    @Test
    void idIsGeneratedWhenAbsent() {
        h.seed("pub-gen");
        var a = h.post("/v1/tenants/pub-gen/events", "{\"type\":\"pub.a\",\"data\":{}}");
        var b = h.post("/v1/tenants/pub-gen/events", "{\"type\":\"pub.a\",\"data\":{}}");
        assertThat(a.status()).isEqualTo(202);
        assertThat(b.status()).isEqualTo(202);
        String ia = a.json().get("id").stringValue();
        String ib = b.json().get("id").stringValue();
        assertThat(ia).isNotBlank().isNotEqualTo(ib);
        assertThat(events("pub-gen")).isEqualTo(2);
    }

    @Test
    void repeatedIdIsANoOpAnsweringTheFirst() {
        h.seed("pub-rep");
        h.seed("pub-rep-other");
        var first = h.post("/v1/tenants/pub-rep/events", "{\"id\":\"same\",\"type\":\"pub.a\",\"data\":{\"v\":1}}");
        var again = h.post("/v1/tenants/pub-rep/events", "{\"id\":\"same\",\"type\":\"pub.b\",\"data\":{\"v\":2}}");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(events("pub-rep")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM events WHERE tenant_id = 'pub-rep' AND type = 'pub.a'")).isEqualTo(1);
        // ids are per tenant
        var other = h.post("/v1/tenants/pub-rep-other/events", "{\"id\":\"same\",\"type\":\"pub.a\",\"data\":{}}");
        assertThat(other.status()).isEqualTo(202);
        assertThat(events("pub-rep-other")).isEqualTo(1);
        // in a bulk, repeats (earlier or within the same list) answer the first too
        var bulk = h.post("/v1/tenants/pub-rep/events/bulk", "{\"events\":[{\"id\":\"same\",\"type\":\"pub.a\",\"data\":{}},"
                + "{\"id\":\"new\",\"type\":\"pub.a\",\"data\":{}},{\"id\":\"new\",\"type\":\"pub.a\",\"data\":{}}]}");
        assertThat(bulk.status()).as(bulk.text()).isEqualTo(202);
        JsonNode data = bulk.json().get("data");
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.get(0)).isEqualTo(first.json());
        assertThat(data.get(2)).isEqualTo(data.get(1));
        assertThat(events("pub-rep")).isEqualTo(2);
    }

    @Test
    void anOrderingKeyIsStoredWithTheEvent() {
        h.seed("pub-key");
        assertThat(h.post("/v1/tenants/pub-key/events", "{\"id\":\"k1\",\"type\":\"pub.a\",\"data\":{},"
                + "\"ordering_key\":\"customer-42\"}").status()).isEqualTo(202);

        assertThat(count("SELECT COUNT(*) FROM events WHERE tenant_id = 'pub-key' AND ordering_key = 'customer-42'")).isEqualTo(1);
    }

    @Test
    void unknownTypeAndBadFields() {
        h.seed("pub-bad");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.nope\",\"data\":{}}"), "type");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"data\":{}}"), "type");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":7,\"data\":{}}"), "type");
        for (String data : new String[] {"[]", "\"s\"", "42", "null", "true"}) {
            assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.a\",\"data\":" + data + "}"), "data");
        }
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.a\"}"), "data");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"id\":\"\",\"type\":\"pub.a\",\"data\":{}}"), "id");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"id\":\"has space\",\"type\":\"pub.a\",\"data\":{}}"), "id");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"id\":\"" + "i".repeat(256) + "\",\"type\":\"pub.a\",\"data\":{}}"), "id");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"id\":5,\"type\":\"pub.a\",\"data\":{}}"), "id");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.a\",\"data\":{},\"payload\":{}}"), "payload");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.a\",\"data\":{},\"ordering_key\":\"\"}"), "ordering_key");
        assertInvalid(h.post("/v1/tenants/pub-bad/events", "{\"type\":\"pub.a\",\"data\":{},\"ordering_key\":7}"), "ordering_key");
        assertInvalid(h.post("/v1/tenants/pub-bad/events/bulk",
                "{\"events\":[{\"type\":\"pub.a\",\"data\":{},\"ordering_key\":\"a b\"}]}"), "events[0].ordering_key");
        assertThat(events("pub-bad")).isZero();
        assertProblem(h.post("/v1/tenants/pub-nobody/events", "{\"type\":\"pub.a\",\"data\":{}}"), 404);
        assertProblem(h.post("/v1/tenants/pub-nobody/events/bulk", "{\"events\":[{\"type\":\"pub.a\",\"data\":{}}]}"), 404);
    }

    @Test
    void bulkOfAThousandIsAcceptedAndOneMoreIsNot() {
        h.seed("pub-1000");
        var ok = h.post("/v1/tenants/pub-1000/events/bulk", bulk(1000, "k"));
        assertThat(ok.status()).as(ok.text()).isEqualTo(202);
        assertThat(ok.json().get("data").size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(ok.json().get("data").get(i).get("id").stringValue()).isEqualTo("k" + i);
        }
        assertThat(events("pub-1000")).isEqualTo(1000);

        h.seed("pub-1001");
        assertInvalid(h.post("/v1/tenants/pub-1001/events/bulk", bulk(1001, "k")), "events");
        assertInvalid(h.post("/v1/tenants/pub-1001/events/bulk", "{\"events\":[]}"), "events");
        assertInvalid(h.post("/v1/tenants/pub-1001/events/bulk", "{}"), "events");
        assertInvalid(h.post("/v1/tenants/pub-1001/events/bulk", "{\"events\":{}}"), "events");
        assertInvalid(h.post("/v1/tenants/pub-1001/events/bulk", "{\"events\":[],\"more\":1}"), "more");
        assertThat(events("pub-1001")).isZero();
    }

    @Test
    void aBulkWithOneBadEventStoresNothing() {
        h.seed("pub-atomic");
        String good = "{\"id\":\"g%d\",\"type\":\"pub.a\",\"data\":{}}";
        List<String> bads = List.of("{\"id\":\"g3\",\"type\":\"pub.nope\",\"data\":{}}", "{\"id\":\"g3\",\"type\":\"pub.a\",\"data\":[]}",
                "{\"id\":\"g3\",\"type\":\"pub.a\"}", "{\"id\":\"g3\",\"data\":{}}", "42", "{\"id\":\"g 3\",\"type\":\"pub.a\",\"data\":{}}");
        for (String bad : bads) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                items.add(i == 3 ? bad : good.formatted(i));
            }
            var r = h.post("/v1/tenants/pub-atomic/events/bulk", "{\"events\":[" + String.join(",", items) + "]}");
            assertThat(r.status()).as(bad).isEqualTo(422);
            assertThat(r.json().get("field").stringValue()).as(bad).startsWith("events[3]");
            assertThat(r.json().get("detail").stringValue()).contains("events[3]");
            assertThat(events("pub-atomic")).as("after %s", bad).isZero();
        }
        // the good ids are unused: publishing them now stores them fresh
        var fresh = h.post("/v1/tenants/pub-atomic/events", good.formatted(0));
        assertThat(fresh.status()).isEqualTo(202);
        assertThat(events("pub-atomic")).isEqualTo(1);
    }

    @Test
    void unknownTypeInBulkNamesTheFirstEventWithIt() {
        h.seed("pub-unk");
        var r = h.post("/v1/tenants/pub-unk/events/bulk", "{\"events\":[{\"type\":\"pub.a\",\"data\":{}},{\"type\":\"pub.b\",\"data\":{}},"
                + "{\"type\":\"pub.zz\",\"data\":{}},{\"type\":\"pub.zz\",\"data\":{}}]}");
        assertInvalid(r, "events[2].type");
        assertThat(events("pub-unk")).isZero();
    }

    @Test
    void queueRowsOnlyForSubscribedEndpointsOfTheTenant() {
        h.seed("pub-q");
        h.seed("pub-q-other");
        String all = endpoint("pub-q", "[]");
        String onlyA = endpoint("pub-q", "[\"pub.a\"]");
        String bAndC = endpoint("pub-q", "[\"pub.b\",\"pub.c\"]");
        String otherAll = endpoint("pub-q-other", "[]");
        String otherA = endpoint("pub-q-other", "[\"pub.a\"]");

        h.post("/v1/tenants/pub-q/events", "{\"id\":\"qa\",\"type\":\"pub.a\",\"data\":{}}");
        h.post("/v1/tenants/pub-q/events/bulk", "{\"events\":[{\"id\":\"qb\",\"type\":\"pub.b\",\"data\":{}},"
                + "{\"id\":\"qc\",\"type\":\"pub.c\",\"data\":{}}]}");
        // a repeat writes no second row
        h.post("/v1/tenants/pub-q/events", "{\"id\":\"qa\",\"type\":\"pub.a\",\"data\":{}}");

        assertThat(queued(all)).containsExactly("qa", "qb", "qc");
        assertThat(queued(onlyA)).containsExactly("qa");
        assertThat(queued(bAndC)).containsExactly("qb", "qc");
        assertThat(queued(otherAll)).isEmpty();
        assertThat(queued(otherA)).isEmpty();
    }

    private static String endpoint(String tenant, String types) {
        var r = h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":" + types
                + ",\"status\":\"paused\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    /** The event ids queued for an endpoint, or already sealed into its deliveries (the batcher may have run). */
    private static List<String> queued(String endpointId) {
        return h.herald().database().read(c -> {
            List<String> ids = new ArrayList<>();
            try (var s = c.prepareStatement("SELECT e.id FROM queue q JOIN events e ON e.seq = q.event_seq WHERE q.endpoint_id = ?"
                    + " UNION ALL SELECT de.event_id FROM delivery_events de JOIN deliveries d ON d.id = de.delivery_id"
                    + " WHERE d.endpoint_id = ?")) {
                s.setString(1, endpointId);
                s.setString(2, endpointId);
                try (var rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            ids.sort(null);
            return ids;
        });
    }
}
