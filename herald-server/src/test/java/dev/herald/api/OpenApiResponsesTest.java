package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Eventually;
import dev.herald.testing.LoopbackReceiver;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the API really answers, checked against what the OpenAPI document says it answers: a realistic session
 * (tenants, credentials, the catalogue, endpoints of every kind, publishes, deliveries that succeed and fail, the
 * operations, errors of every kind) on a real Herald, each answer's status looked up in the document for its route
 * and its body validated against the schema declared there. A status the document does not list fails, and so does
 * every operation the session never got a success from.
 */
class OpenApiResponsesTest {
    private static final String ADMIN = TestHerald.ADMIN;

    private TestHerald h;
    private OpenApiDocument doc;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> succeeded = new TreeSet<>();
    private final Set<String> answered = new TreeSet<>();

    /** Sends the request, checks its answer against the document's entry for {@code route} and returns it. */
    private TestHerald.Response call(String method, String route, String path, String body, String token) {
        return check(method, route, h.send(method, path, body, token));
    }

    private TestHerald.Response check(String method, String route, TestHerald.Response r) {
        String what = method + " " + route;
        answered.add(what + " " + r.status());
        JsonNode documented = doc.response(method, route, r.status());
        if (documented == null) {
            problems.add(what + " answered " + r.status() + ", which the document does not list: " + r.text());
            return r;
        }
        if (r.status() < 300) {
            succeeded.add(what);
        }
        JsonNode content = documented.get("content");
        String type = r.header("Content-Type") == null ? null : r.header("Content-Type").split(";")[0].trim();
        if (content == null) {
            if (!r.text().isEmpty()) {
                problems.add(what + " " + r.status() + " answered a body, the document declares none: " + r.text());
            }
            return r;
        }
        JsonNode media = type == null ? null : content.get(type);
        if (media == null) {
            problems.add(what + " " + r.status() + " answered " + type + ", the document declares " + content.propertyNames());
        } else if (type.endsWith("json")) {
            doc.violations(media.get("schema"), r.json()).forEach(v -> problems.add(what + " " + r.status()
                    + " breaks its documented schema at " + v + "\n    in " + r.text()));
        }
        return r;
    }

    private static String id(TestHerald.Response r) {
        return r.json().get("id").stringValue();
    }

    @Test
    void aRealisticSessionAnswersOnlyWhatTheDocumentSays() {
        try (LoopbackReceiver receiver = new LoopbackReceiver();
             TestHerald herald = TestHerald.builder().set("HERALD_MAX_ENDPOINTS_PER_TENANT", "5").start()) {
            h = herald;
            var served = h.send("GET", "/openapi.json", null, null);
            doc = new OpenApiDocument(served.json());
            check("GET", "/openapi.json", served);
            receiver.answer("/fail", 500, "down for maintenance");
            session(receiver);
        }
        assertThat(problems).as("answers the document does not describe").isEmpty();
        List<String> neverSucceeded = doc.operations().keySet().stream().filter(op -> !succeeded.contains(op)).toList();
        assertThat(neverSucceeded).as("documented operations this session never got a success from").isEmpty();
        assertThat(answered).as("the error statuses this session met").contains(
                "POST /v1/tenants 400", "POST /v1/tenants 401", "GET /v1/tenants 403", "GET /v1/tenants/{tenant} 404",
                "POST /v1/tenants 409", "POST /v1/tenants 413", "POST /v1/tenants 422", "GET /v1/me 429");
    }

    private void session(LoopbackReceiver receiver) {
        // tenants
        call("GET", "/v1/me", "/v1/me", null, ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}", ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"other\",\"name\":\"Other\"}", ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme again\"}", ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"not an id!\",\"name\":\"x\"}", ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":", ADMIN);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"nobody\",\"name\":\"x\"}", null);
        call("POST", "/v1/tenants", "/v1/tenants", "{\"id\":\"big\",\"name\":\"" + "a".repeat(1 << 20) + "\"}", ADMIN);
        call("GET", "/v1/tenants", "/v1/tenants?limit=1", null, ADMIN);
        call("GET", "/v1/tenants", "/v1/tenants?sort=name", null, ADMIN);
        call("GET", "/v1/tenants/{tenant}", "/v1/tenants/acme", null, ADMIN);
        call("GET", "/v1/tenants/{tenant}", "/v1/tenants/nobody", null, ADMIN);
        call("PATCH", "/v1/tenants/{tenant}", "/v1/tenants/acme", "{\"name\":\"Acme Corp\"}", ADMIN);

        // credentials
        String key = call("POST", "/v1/tenants/{tenant}/keys", "/v1/tenants/acme/keys", null, ADMIN).json().get("key").stringValue();
        String spareKey = id(call("POST", "/v1/tenants/{tenant}/keys", "/v1/tenants/acme/keys", "{}", ADMIN));
        call("GET", "/v1/tenants/{tenant}/keys", "/v1/tenants/acme/keys", null, ADMIN);
        var readOnly = call("POST", "/v1/tenants/{tenant}/portal-sessions", "/v1/tenants/acme/portal-sessions",
                "{\"read_only\":true,\"expires_in_s\":600}", ADMIN);
        String viewer = readOnly.json().get("token").stringValue();
        String session = call("POST", "/v1/tenants/{tenant}/portal-sessions", "/v1/tenants/acme/portal-sessions", null, ADMIN)
                .json().get("token").stringValue();
        call("POST", "/v1/tenants/{tenant}/portal-sessions", "/v1/tenants/acme/portal-sessions", "{\"expires_in_s\":1}", ADMIN);
        call("GET", "/v1/tenants/{tenant}/portal-sessions", "/v1/tenants/acme/portal-sessions", null, ADMIN);
        call("GET", "/v1/me", "/v1/me", null, key);
        call("GET", "/v1/me", "/v1/me", null, viewer);
        call("GET", "/v1/tenants", "/v1/tenants", null, key);

        // the catalogue
        String paid = "{\"name\":\"order.paid\",\"description\":\"An order was paid\",\"schema\":{\"type\":\"object\","
                + "\"required\":[\"amount\"],\"properties\":{\"amount\":{\"type\":\"integer\",\"minimum\":0}}},"
                + "\"example\":{\"amount\":1250}}";
        call("POST", "/v1/event-types", "/v1/event-types", paid, ADMIN);
        call("POST", "/v1/event-types", "/v1/event-types", paid, ADMIN);
        call("POST", "/v1/event-types", "/v1/event-types", "{\"name\":\"order.refunded\"}", ADMIN);
        call("POST", "/v1/event-types", "/v1/event-types", "{\"name\":\"order.note\",\"description\":\"free text\"}", ADMIN);
        call("POST", "/v1/event-types", "/v1/event-types", "{\"name\":\"bad\",\"schema\":{\"type\":\"whole\"}}", ADMIN);
        call("POST", "/v1/event-types", "/v1/event-types", "{\"name\":\"order.x\"}", key);
        call("GET", "/v1/event-types", "/v1/event-types", null, key);
        call("GET", "/v1/event-types/{name}", "/v1/event-types/order.paid", null, session);
        call("GET", "/v1/event-types/{name}", "/v1/event-types/order.unknown", null, ADMIN);
        call("PATCH", "/v1/event-types/{name}", "/v1/event-types/order.refunded", "{\"description\":\"Money went back\"}", ADMIN);

        // endpoints of every kind
        String tenantEndpoints = "/v1/tenants/acme/endpoints";
        String ok = id(call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/ok")
                + "\",\"format\":\"event\",\"event_types\":[\"order.paid\"],\"headers\":{\"X-Partner\":\"42\"},"
                + "\"rate_limit_per_s\":50,\"ordering\":\"key\"}", key));
        String failing = id(call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/fail")
                + "\",\"event_types\":[\"order.refunded\"],\"batch\":{\"max_events\":1,\"window_ms\":100},"
                + "\"retry\":{\"max_attempts\":1}}", session));
        String ed = id(call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/ed")
                + "\",\"signing\":\"ed25519\",\"event_types\":[\"order.*\"],\"status\":\"paused\"}", ADMIN));
        HeldCertificate client = new HeldCertificate.Builder().commonName("herald-client").build();
        String mtls = id(call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"https://127.0.0.1:9/h\","
                + "\"tls\":{\"client_certificate\":" + ApiAssertions.quote(client.certificatePem()) + ",\"client_key\":"
                + ApiAssertions.quote(client.privateKeyPkcs8Pem()) + "},\"format\":\"event\",\"retry\":{\"policy\":\"exponential\","
                + "\"max_attempts\":2,\"initial_delay_ms\":1000,\"on\":\"non_2xx\"},\"status\":\"paused\"}", key));
        call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"ftp://partner.example/h\"}", key);
        call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/x") + "\"}", viewer);
        call("POST", "/v1/tenants/{tenant}/endpoints", "/v1/tenants/other/endpoints", "{\"url\":\"" + receiver.url("/x") + "\"}", key);
        String spare = id(call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/spare") + "\"}", key));
        call("POST", "/v1/tenants/{tenant}/endpoints", tenantEndpoints, "{\"url\":\"" + receiver.url("/sixth") + "\"}", key);
        call("GET", "/v1/tenants/{tenant}/endpoints", tenantEndpoints + "?limit=2", null, viewer);
        String endpoint = "/v1/tenants/{tenant}/endpoints/{endpoint}";
        call("GET", endpoint, tenantEndpoints + "/" + mtls, null, viewer);
        call("GET", endpoint, tenantEndpoints + "/nope", null, key);
        call("PATCH", endpoint, tenantEndpoints + "/" + ok, "{\"max_concurrency\":4,\"rate_limit_per_s\":null}", key);
        call("PATCH", endpoint, tenantEndpoints + "/" + spare, "{\"signing\":\"ed25519\"}", key);
        call("PATCH", endpoint, tenantEndpoints + "/" + ok, "{\"timeout_ms\":5}", key);
        call("PATCH", endpoint, tenantEndpoints + "/" + ok, "{\"status\":\"paused\"}", viewer);
        call("POST", endpoint + "/rotate-secret", tenantEndpoints + "/" + ok + "/rotate-secret", null, key);
        call("POST", endpoint + "/rotate-secret", tenantEndpoints + "/" + ed + "/rotate-secret", "{}", key);
        call("POST", endpoint + "/rotate-secret", tenantEndpoints + "/" + ed + "/rotate-secret", "{\"secret\":\"whsec_abc\"}", key);
        call("GET", endpoint + "/secret", tenantEndpoints + "/" + ok + "/secret", null, key);
        call("GET", endpoint + "/secret", tenantEndpoints + "/" + ed + "/secret", null, session);
        call("GET", endpoint + "/secret", tenantEndpoints + "/" + failing + "/secret", null, ADMIN);
        call("GET", endpoint + "/secret", tenantEndpoints + "/" + ok + "/secret", null, viewer);

        // publishing, and deliveries that succeed and fail
        String events = "/v1/tenants/{tenant}/events";
        call("POST", events, "/v1/tenants/acme/events", "{\"id\":\"order-1-paid\",\"type\":\"order.paid\",\"data\":{\"amount\":1250},"
                + "\"ordering_key\":\"order-1\"}", ADMIN);
        call("POST", events, "/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"amount\":\"a lot\"}}", ADMIN);
        call("POST", events, "/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"amount\":1}}", key);
        call("POST", events, "/v1/tenants/nobody/events", "{\"type\":\"order.paid\",\"data\":{\"amount\":1}}", ADMIN);
        call("POST", events + "/bulk", "/v1/tenants/acme/events/bulk", "{\"events\":[{\"id\":\"order-1-refunded\","
                + "\"type\":\"order.refunded\",\"data\":{}},{\"type\":\"order.note\",\"data\":{\"text\":\"hi\"}}]}", ADMIN);
        call("POST", events + "/bulk", "/v1/tenants/acme/events/bulk", "{\"events\":[]}", ADMIN);
        String deliveries = "/v1/tenants/{tenant}/deliveries";
        String delivered = Eventually.until("the event reaches its endpoint", Duration.ofSeconds(20),
                () -> h.send("GET", "/v1/tenants/acme/deliveries?status=delivered&endpoint_id=" + ok, null, key).json(),
                page -> page.get("data").size() == 1).get("data").get(0).get("id").stringValue();
        String failed = Eventually.until("the batch fails", Duration.ofSeconds(20),
                () -> h.send("GET", "/v1/tenants/acme/deliveries?status=failed&endpoint_id=" + failing, null, key).json(),
                page -> page.get("data").size() == 1).get("data").get(0).get("id").stringValue();
        call("GET", deliveries, "/v1/tenants/acme/deliveries?status=delivered&event_id=order-1-paid&event_type=order.paid"
                + "&since=2020-01-01T00:00:00Z&until=2100-01-01T00:00:00Z&limit=10", null, viewer);
        call("GET", deliveries, "/v1/tenants/acme/deliveries?status=lost", null, key);
        call("GET", deliveries, "/v1/tenants/acme/deliveries?since=yesterday", null, key);
        call("GET", deliveries + "/{delivery}", "/v1/tenants/acme/deliveries/" + delivered, null, viewer);
        call("GET", deliveries + "/{delivery}", "/v1/tenants/acme/deliveries/" + failed, null, key);
        call("GET", deliveries + "/{delivery}", "/v1/tenants/other/deliveries/" + failed, null, key);
        call("POST", deliveries + "/{delivery}/retry", "/v1/tenants/acme/deliveries/" + delivered + "/retry", null, key);
        call("POST", deliveries + "/{delivery}/retry", "/v1/tenants/acme/deliveries/" + failed + "/retry", null, key);
        call("GET", events, "/v1/tenants/acme/events?type=order.paid&limit=5", null, viewer);
        call("GET", events, "/v1/tenants/acme/events?type=no%20such%20type", null, viewer);
        call("GET", events + "/{event}", "/v1/tenants/acme/events/order-1-paid", null, viewer);
        call("GET", events + "/{event}", "/v1/tenants/acme/events/order-0", null, viewer);

        // the endpoint operations
        String test = call("POST", endpoint + "/test", tenantEndpoints + "/" + ok + "/test", null, key).json()
                .get("delivery_id").stringValue();
        call("POST", endpoint + "/test", tenantEndpoints + "/" + failing + "/test", "{\"type\":\"order.refunded\",\"data\":{}}", session);
        call("POST", endpoint + "/test", tenantEndpoints + "/" + ok + "/test", "{\"type\":\"order.unknown\"}", key);
        Eventually.until("the test is sent", Duration.ofSeconds(20),
                () -> h.send("GET", "/v1/tenants/acme/deliveries/" + test, null, key).json(),
                d -> !d.get("status").stringValue().equals("pending"));
        call("GET", deliveries + "/{delivery}", "/v1/tenants/acme/deliveries/" + test, null, key);
        call("POST", endpoint + "/recover", tenantEndpoints + "/" + failing + "/recover", "{\"since\":\"2020-01-01T00:00:00Z\"}", key);
        call("POST", endpoint + "/recover", tenantEndpoints + "/" + failing + "/recover", "{}", key);
        call("POST", endpoint + "/replay", tenantEndpoints + "/" + ok + "/replay", "{\"since\":\"2020-01-01T00:00:00Z\","
                + "\"until\":\"2100-01-01T00:00:00Z\"}", ADMIN);
        call("POST", endpoint + "/replay", tenantEndpoints + "/" + ok + "/replay", "{\"since\":\"2020-01-01T00:00:00Z\"}", viewer);
        call("GET", endpoint + "/stats", tenantEndpoints + "/" + ok + "/stats", null, viewer);
        call("GET", endpoint + "/stats", tenantEndpoints + "/" + failing + "/stats?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z",
                null, key);
        call("GET", endpoint + "/stats", tenantEndpoints + "/" + ok + "/stats?since=2100-01-01T00:00:00Z", null, key);
        call("GET", "/v1/queue", "/v1/queue", null, ADMIN);
        call("GET", "/v1/queue", "/v1/queue", null, session);

        // operations and pages
        call("GET", "/healthz", "/healthz", null, null);
        call("GET", "/readyz", "/readyz", null, null);
        call("GET", "/metrics", "/metrics", null, null);
        for (String page : List.of("/portal", "/console", "/docs")) {
            var r = call("GET", page, page, null, null);
            check("GET", page, h.sendWith("GET", page, Map.of("If-None-Match", r.header("ETag"))));
        }
        var json = call("GET", "/openapi.json", "/openapi.json", null, null);
        check("GET", "/openapi.json", h.sendWith("GET", "/openapi.json", Map.of("If-None-Match", json.header("ETag"))));
        String portalAssets = assets(h.send("GET", "/portal", null, null).text(), "/portal/assets/", "app.css");
        call("GET", "/portal/assets/{version}/{file}", portalAssets + "app.css", null, null);
        call("GET", "/portal/assets/{version}/{file}", portalAssets + "icon.svg", null, null);
        call("GET", "/portal/assets/{version}/{file}", "/portal/assets/000000000000/app.css", null, null);
        String docsAssets = assets(h.send("GET", "/docs", null, null).text(), "/docs/assets/", "docs.js");
        for (String file : List.of("docs.js", "docs.css", "swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")) {
            call("GET", "/docs/assets/{version}/{file}", docsAssets + file, null, null);
        }
        call("GET", "/docs/assets/{version}/{file}", docsAssets + "index.html", null, null);

        // deletions
        call("DELETE", "/v1/event-types/{name}", "/v1/event-types/order.refunded", null, ADMIN);
        call("DELETE", "/v1/event-types/{name}", "/v1/event-types/order.note", null, ADMIN);
        call("DELETE", "/v1/event-types/{name}", "/v1/event-types/order.note", null, ADMIN);
        call("DELETE", endpoint, tenantEndpoints + "/" + spare, null, session);
        call("DELETE", endpoint, tenantEndpoints + "/" + spare, null, session);
        call("DELETE", "/v1/tenants/{tenant}/keys/{key}", "/v1/tenants/acme/keys/" + spareKey, null, ADMIN);
        call("DELETE", "/v1/tenants/{tenant}/keys/{key}", "/v1/tenants/acme/keys/" + spareKey, null, ADMIN);
        call("DELETE", "/v1/tenants/{tenant}/portal-sessions/{session}", "/v1/tenants/acme/portal-sessions/"
                + readOnly.json().get("id").stringValue(), null, ADMIN);
        call("GET", "/v1/me", "/v1/me", null, viewer);
        call("DELETE", "/v1/tenants/{tenant}/portal-sessions/{session}", "/v1/tenants/acme/portal-sessions/ps_nope", null, ADMIN);
        call("DELETE", "/v1/tenants/{tenant}", "/v1/tenants/other", null, ADMIN);
        call("DELETE", "/v1/tenants/{tenant}", "/v1/tenants/other", null, ADMIN);

        // last: enough failed authentications from this address, and it is throttled
        for (int i = 0; i < 25; i++) {
            call("GET", "/v1/me", "/v1/me", null, "not-a-token-" + i);
        }
    }

    /** The versioned asset directory a page names, e.g. {@code /docs/assets/0123456789ab/}. */
    private static String assets(String html, String prefix, String file) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "([0-9a-f]{12})/" + Pattern.quote(file)).matcher(html);
        assertThat(m.find()).as("the page names " + file).isTrue();
        return prefix + m.group(1) + "/";
    }
}
