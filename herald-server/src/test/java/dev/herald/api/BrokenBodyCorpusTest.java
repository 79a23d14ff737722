package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken bodies thrown at every write route: each answer must be a 4xx problem document with a detail,
 * never a 5xx and never a success.
 */
class BrokenBodyCorpusTest {
    private static final int MIB = 1 << 20;
    private static TestHerald h;
    private static String endpointId;

    /** A write route: where it is, whether its body is optional, and the kind of each top-level field. */
    record Route(String name, String method, String path, boolean optionalBody, int limit, String validBase,
                 Map<String, Kind> fields) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    enum Kind { STRING, INT, OBJECT, ARRAY }

    private static final Map<Kind, List<String>> WRONG = Map.of(
            Kind.STRING, List.of("42", "1.5", "true", "[]", "{}", "[\"a\"]", "1e400", "99999999999999999999999"),
            Kind.INT, List.of("\"10\"", "1.5", "true", "[]", "{}", "1e400", "99999999999999999999999", "-99999999999999999999999",
                    "1e2", "\"\""),
            Kind.OBJECT, List.of("42", "\"s\"", "true", "[]", "[{}]", "1e400"),
            Kind.ARRAY, List.of("42", "\"s\"", "true", "{}", "[42]", "[[]]", "[null]", "[{}]"));

    private static Map<String, Kind> fields(Object... pairs) {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Kind) pairs[i + 1]);
        }
        return m;
    }

    private static final Map<String, Kind> ENDPOINT_FIELDS = fields("url", Kind.STRING, "description", Kind.STRING,
            "event_types", Kind.ARRAY, "format", Kind.STRING, "batch", Kind.OBJECT, "retry", Kind.OBJECT, "headers", Kind.OBJECT,
            "secret", Kind.STRING, "signing", Kind.STRING, "tls", Kind.OBJECT, "timeout_ms", Kind.INT, "max_concurrency", Kind.INT, "status", Kind.STRING);

    static List<Route> routes() {
        return List.of(
                new Route("tenants", "POST", "/v1/tenants", false, MIB, "{\"id\":\"corpus-new\",\"name\":\"n\"}",
                        fields("id", Kind.STRING, "name", Kind.STRING)),
                new Route("keys", "POST", "/v1/tenants/corpus/keys", true, MIB, "{}", fields()),
                new Route("event-types", "POST", "/v1/event-types", false, MIB, "{\"name\":\"corpus.new\",\"description\":\"\"}",
                        fields("name", Kind.STRING, "description", Kind.STRING, "schema", Kind.OBJECT, "example", Kind.OBJECT)),
                new Route("event-type patch", "PATCH", "/v1/event-types/corpus.type", false, MIB, "{\"description\":\"\"}",
                        fields("description", Kind.STRING, "schema", Kind.OBJECT, "example", Kind.OBJECT)),
                new Route("endpoints", "POST", "/v1/tenants/corpus/endpoints", false, MIB,
                        "{\"url\":\"https://127.0.0.1:9/hook\"}", ENDPOINT_FIELDS),
                new Route("patch", "PATCH", "/v1/tenants/corpus/endpoints/{e}", false, MIB, "{}", ENDPOINT_FIELDS),
                new Route("rotate", "POST", "/v1/tenants/corpus/endpoints/{e}/rotate-secret", true, MIB, "{}",
                        fields("secret", Kind.STRING)),
                new Route("events", "POST", "/v1/tenants/corpus/events", false, MIB, "{\"type\":\"corpus.type\",\"data\":{}}",
                        fields("id", Kind.STRING, "type", Kind.STRING, "data", Kind.OBJECT)),
                new Route("bulk", "POST", "/v1/tenants/corpus/events/bulk", false, 16 * MIB,
                        "{\"events\":[{\"type\":\"corpus.type\",\"data\":{}}]}", fields("events", Kind.ARRAY)),
                new Route("retry", "POST", "/v1/tenants/corpus/deliveries/no-such-delivery/retry", true, MIB, "{}", fields()),
                new Route("test", "POST", "/v1/tenants/corpus/endpoints/{e}/test", true, MIB,
                        "{\"type\":\"corpus.type\",\"data\":{}}", fields("type", Kind.STRING, "data", Kind.OBJECT)),
                new Route("recover", "POST", "/v1/tenants/corpus/endpoints/{e}/recover", false, MIB,
                        "{\"since\":\"2024-03-21T10:00:00Z\"}", fields("since", Kind.STRING, "until", Kind.STRING)),
                new Route("replay", "POST", "/v1/tenants/corpus/endpoints/{e}/replay", false, MIB,
                        "{\"since\":\"2024-03-21T10:00:00Z\"}", fields("since", Kind.STRING, "until", Kind.STRING)));
    }

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("corpus", "corpus.type");
        var e = h.post("/v1/tenants/corpus/endpoints", "{\"url\":\"https://127.0.0.1:9/hook\"}");
        assertThat(e.status()).isEqualTo(201);
        endpointId = e.json().get("id").stringValue();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Bodies that are broken for any route. */
    static Map<String, byte[]> generic(Route r) {
        Map<String, byte[]> c = new LinkedHashMap<>();
        if (!r.optionalBody()) {
            c.put("empty", new byte[0]);
            c.put("whitespace", utf8(" \n\t\r "));
        }
        c.put("null", utf8("null"));
        c.put("array", utf8("[]"));
        c.put("array of the valid body", utf8("[" + r.validBase() + "]"));
        c.put("string", utf8("\"str\""));
        c.put("number", utf8("42"));
        c.put("true", utf8("true"));
        c.put("truncated", utf8(r.validBase().substring(0, r.validBase().length() - 1)));
        c.put("truncated string", utf8("{\"id\":\"abc"));
        c.put("only an opening brace", utf8("{"));
        c.put("trailing garbage", utf8(r.validBase() + "garbage"));
        c.put("two documents", utf8(r.validBase() + " " + r.validBase()));
        c.put("trailing comma", utf8("{\"a\":1,}"));
        c.put("single quotes", utf8("{'a':'b'}"));
        c.put("unquoted key", utf8("{a:1}"));
        c.put("comment", utf8("/* c */" + r.validBase()));
        c.put("NaN", utf8("{\"a\":NaN}"));
        c.put("huge exponent", utf8("1e400"));
        c.put("huge integer", utf8("99999999999999999999999"));
        c.put("deep array nesting", utf8("[".repeat(100_000)));
        c.put("deep object nesting", utf8("{\"a\":".repeat(50_000)));
        c.put("deep nesting closed", utf8("[".repeat(5_000) + "]".repeat(5_000)));
        c.put("invalid UTF-8", concat(utf8("{\"id\":\""), new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3}, utf8("\",\"name\":\"x\"}")));
        c.put("overlong UTF-8", concat(utf8("{\"description\":\""), new byte[] {(byte) 0xc0, (byte) 0xaf}, utf8("\"}")));
        c.put("lone continuation byte", concat(new byte[] {(byte) 0x80}, utf8(r.validBase())));
        c.put("UTF-16 body", r.validBase().getBytes(StandardCharsets.UTF_16LE));
        c.put("raw NUL in a string", concat(utf8("{\"name\":\"a"), new byte[] {0}, utf8("b\"}")));
        c.put("NUL before the body", concat(new byte[] {0}, utf8(r.validBase())));
        c.put("only NUL bytes", new byte[16]);
        c.put("raw newline in a string", utf8("{\"name\":\"a\nb\"}"));
        c.put("bad escape", utf8("{\"name\":\"\\x41\"}"));
        c.put("duplicate keys", utf8(duplicate(r.validBase())));
        c.put("unknown field", utf8(r.validBase().replaceFirst("\\{", "{\"zz_unknown\":1" + (r.validBase().equals("{}") ? "" : ","))));
        c.put("binary", new byte[] {1, 2, 3, (byte) 0x9f, 0x7f, (byte) 0xaa});
        return c;
    }

    private static String duplicate(String valid) {
        if (valid.equals("{}")) {
            return "{\"a\":1,\"a\":2}";
        }
        int colon = valid.indexOf(':');
        String firstKey = valid.substring(1, colon);
        return "{" + firstKey + ":\"x\"," + valid.substring(1);
    }

    /** The valid body with one field of the wrong type. */
    static Map<String, byte[]> wrongTypes(Route r) {
        Map<String, byte[]> c = new LinkedHashMap<>();
        r.fields().forEach((field, kind) -> {
            for (String wrong : WRONG.get(kind)) {
                var body = (tools.jackson.databind.node.ObjectNode) dev.herald.json.Json.parse(r.validBase());
                body.set(field, dev.herald.json.Json.MAPPER.readTree(wrong.equals("1e400") ? "0" : wrong));
                String json = dev.herald.json.Json.write(body);
                if (wrong.equals("1e400")) {
                    json = json.replace("\"" + field + "\":0", "\"" + field + "\":1e400");
                }
                c.put(field + " = " + wrong, utf8(json));
            }
        });
        // nested wrong types in bulk events
        if (r.name().equals("bulk")) {
            for (String e : List.of("{\"type\":42,\"data\":{}}", "{\"type\":\"corpus.type\",\"data\":[]}",
                    "{\"id\":[],\"type\":\"corpus.type\",\"data\":{}}", "{\"id\":99999999999999999999999,\"type\":\"corpus.type\",\"data\":{}}")) {
                c.put("events[0] = " + e, utf8("{\"events\":[" + e + "]}"));
            }
        }
        return c;
    }

    static Stream<Arguments> corpus() {
        List<Arguments> out = new ArrayList<>();
        for (Route r : routes()) {
            generic(r).forEach((name, body) -> out.add(Arguments.of(r, name, body)));
            wrongTypes(r).forEach((name, body) -> out.add(Arguments.of(r, name, body)));
        }
        return out.stream();
    }

    private static TestHerald.Response send(Route r, byte[] body) {
        return h.sendBytes(r.method(), r.path().replace("{e}", endpointId), body, TestHerald.ADMIN);
    }

    private static void assertRefused(TestHerald.Response res, String what) {
        assertThat(res.status()).as("%s answered %s", what, res.text()).isBetween(400, 499);
        assertThat(res.header("Content-Type")).as(what).startsWith("application/problem+json");
        assertThat(res.json()).as(what).isNotNull();
        assertThat(res.json().get("detail").stringValue()).as(what).isNotBlank();
        assertThat(res.json().get("status").intValue()).as(what).isEqualTo(res.status());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corpus")
    void brokenBodyIsA4xxProblem(Route r, String name, byte[] body) {
        assertRefused(send(r, body), r + " with " + name);
    }

    static Stream<Route> allRoutes() {
        return routes().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void bodyOverTheLimitIs413(Route r) {
        byte[] body = new byte[r.limit() + 1];
        Arrays.fill(body, (byte) ' ');
        byte[] head = utf8("{\"description\":\"");
        System.arraycopy(head, 0, body, 0, head.length);
        Arrays.fill(body, head.length, body.length - 2, (byte) 'a');
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        var res = send(r, body);
        assertRefused(res, r + " with " + body.length + " bytes");
        assertThat(res.status()).as(res.text()).isEqualTo(413);
    }

    @org.junit.jupiter.api.Test
    void bulkOverOneMibButUnderSixteenIsAccepted() {
        StringBuilder b = new StringBuilder("{\"events\":[");
        String pad = "p".repeat(3000);
        for (int i = 0; i < 1000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"corpus.type\",\"data\":{\"pad\":\"").append(pad).append("\"}}");
        }
        b.append("]}");
        assertThat(b.length()).isGreaterThan(2 * MIB);
        var res = h.sendBytes("POST", "/v1/tenants/corpus/events/bulk", utf8(b.toString()), TestHerald.ADMIN);
        assertThat(res.status()).as(res.text()).isEqualTo(202);
    }
}
