package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Strings from outside must be valid Unicode: a lone UTF-16 surrogate, which JSON can spell as an escape
 * ({@code "\\ud800"}) although UTF-8 cannot encode it, is a 422 naming where it is, wherever it is. The
 * JSON texts below hold the six characters of such an escape, never the surrogate itself.
 */
class UnicodeTest {
    private static final String T = "uni";
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed(T, "uni.a");
        // why: an event-format endpoint makes Herald write each event's data into a body at once
        var r = h.post("/v1/tenants/" + T + "/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\",\"format\":\"event\","
                + "\"retry\":{\"max_attempts\":1}}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static long events() {
        return h.herald().database().read(c -> {
            try (var s = c.prepareStatement("SELECT COUNT(*) FROM events WHERE tenant_id = '" + T + "'"); var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void assertLoneSurrogate(TestHerald.Response r, String field) {
        assertInvalid(r, field);
        assertThat(r.json().get("detail").stringValue()).contains("lone UTF-16 surrogate").contains("valid Unicode");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"s\":\"\\ud800\"}                                  | data.s",
            "{\"s\":\"\\udc00\"}                                  | data.s",
            "{\"s\":\"ok \\ud83d\"}                               | data.s",
            "{\"s\":\"\\ude00\\ud83d\"}                           | data.s",
            "{\"s\":\"\\ud83d\\ud83d\\ude00\"}                    | data.s",
            "{\"items\":[{},{\"name\":\"x\"},{\"name\":\"\\ud800\"}]} | data.items[2].name",
            "{\"a\":{\"b\":{\"c\":[[1,\"\\udfff\"]]}}}            | data.a.b.c[0][1]",
            "{\"a.b\":\"\\ud800\"}                                | `data[\"a.b\"]`",
            "{\"k\\ud800x\":1}                                    | `data[\"k\\ud800x\"]`",
            "{\"x\":{\"ok\":1,\"\\udc00\":2}}                     | `data.x[\"\\udc00\"]`",
            "{\"a\\\"b\\ud800\":1}                                 | `data[\"a\\\"b\\ud800\"]`",
    })
    void aLoneSurrogateInEventDataIsRefusedNamingItsPath(String data, String field) {
        long before = events();
        assertLoneSurrogate(h.post("/v1/tenants/" + T + "/events", "{\"type\":\"uni.a\",\"data\":" + data + "}"), field);
        assertLoneSurrogate(h.post("/v1/tenants/" + T + "/events/bulk", "{\"events\":[{\"type\":\"uni.a\",\"data\":{}},"
                + "{\"type\":\"uni.a\",\"data\":{}},{\"type\":\"uni.a\",\"data\":{}},{\"type\":\"uni.a\",\"data\":" + data + "}]}"),
                "events[3]." + field);
        assertThat(events()).as("nothing stored").isEqualTo(before);
    }

    @Test
    void refusedAlsoWhereNoEndpointSubscribes() {
        h.seed("uni-quiet");
        assertLoneSurrogate(h.post("/v1/tenants/uni-quiet/events", "{\"type\":\"uni.a\",\"data\":{\"s\":\"\\ud800\"}}"), "data.s");
    }

    @Test
    void aBodyBrokenElsewhereIsStillA400() {
        var r = h.post("/v1/tenants/" + T + "/events", "{\"type\":\"uni.a\",\"data\":{\"s\":\"\\ud800\t\"}}");
        ApiAssertions.assertProblem(r, 400);
        r = h.post("/v1/tenants/" + T + "/events", "{\"type\":\"uni.a\",\"data\":{\"s\":\"\\ud800\",}}");
        ApiAssertions.assertProblem(r, 400);
    }

    @Test
    void surrogatePairsAreValid() {
        var r = h.post("/v1/tenants/" + T + "/events", "{\"type\":\"uni.a\",\"data\":{\"s\":\"\\ud83d\\ude00\",\"\\ud83d\\ude00\":\"😀\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(202);
    }

    @Test
    void otherStringsFromOutsideAreCheckedToo() {
        String lone = "\"a\\ud800\"";
        assertLoneSurrogate(h.post("/v1/tenants", "{\"id\":\"uni-t\",\"name\":" + lone + "}"), "name");
        assertLoneSurrogate(h.post("/v1/event-types", "{\"name\":\"uni.b\",\"description\":" + lone + "}"), "description");
        String endpoints = "/v1/tenants/" + T + "/endpoints";
        assertLoneSurrogate(h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\",\"description\":" + lone + "}"), "description");
        assertLoneSurrogate(h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\\ud800\"}"), "url");
        assertInvalid(h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X-A\":" + lone + "}}"), "headers.X-A");
        assertLoneSurrogate(h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X\\ud800\":\"v\"}}"),
                "headers[\"X\\ud800\"]");
        String id = h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\"}").json().get("id").stringValue();
        assertLoneSurrogate(h.patch(endpoints + "/" + id, "{\"description\":" + lone + "}"), "description");
        assertInvalid(h.post("/v1/tenants/" + T + "/events", "{\"id\":" + lone + ",\"type\":\"uni.a\",\"data\":{}}"), "id");
        assertLoneSurrogate(h.post(endpoints, "{\"url\":\"http://127.0.0.1:9/\",\"\\ud800\":1}"), "[\"\\ud800\"]");
        assertThat(h.get("/v1/tenants/uni-t").status()).isEqualTo(404);
    }
}
