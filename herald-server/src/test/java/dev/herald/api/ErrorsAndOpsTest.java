package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Unknown routes and methods, health, readiness and metrics. */
class ErrorsAndOpsTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void unknownRouteIs404Problem() {
        for (String path : List.of("/nope", "/v1", "/v1/tenant", "/v2/tenants", "/v1/tenants/a/b/c/d/e/f")) {
            assertProblem(h.get(path), 404);
            assertProblem(h.send("GET", path, null, null), 404);
        }
        assertProblem(h.post("/v1/nothing-here", "{}"), 404);
    }

    @Test
    void wrongMethodIs405Problem() {
        assertProblem(h.send("PUT", "/v1/tenants", "{}", TestHerald.ADMIN), 405);
        assertProblem(h.send("DELETE", "/v1/tenants", null, TestHerald.ADMIN), 405);
        assertProblem(h.send("PATCH", "/v1/event-types", "{}", TestHerald.ADMIN), 405);
        assertProblem(h.send("DELETE", "/v1/tenants/x/events", null, TestHerald.ADMIN), 405);
        assertProblem(h.send("PUT", "/v1/tenants/x/events/e1", "{}", TestHerald.ADMIN), 405);
        assertProblem(h.send("POST", "/healthz", "{}", null), 405);
    }

    @Test
    void healthAndReadiness() {
        var health = h.send("GET", "/healthz", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").stringValue()).isEqualTo("ok");
        var ready = h.send("GET", "/readyz", null, null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").stringValue()).isEqualTo("ready");
    }

    @Test
    void metricsUseRouteTemplatesAndCountIngest() {
        h.seed("ops-secret-tenant-id", "ops.type");
        var e = h.post("/v1/tenants/ops-secret-tenant-id/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\"}");
        String endpointId = e.json().get("id").stringValue();
        h.get("/v1/tenants/ops-secret-tenant-id/endpoints");
        h.get("/v1/tenants/ops-secret-tenant-id/endpoints/" + endpointId);
        h.get("/v1/tenants/ops-secret-tenant-id/endpoints/not-there");
        h.get("/v1/tenants/ops-secret-tenant-id/no-route");
        for (int i = 0; i < 3; i++) {
            assertThat(h.post("/v1/tenants/ops-secret-tenant-id/events", "{\"type\":\"ops.type\",\"data\":{}}").status()).isEqualTo(202);
        }
        h.post("/v1/tenants/ops-secret-tenant-id/events", "{\"id\":\"ops-same\",\"type\":\"ops.type\",\"data\":{}}");
        h.post("/v1/tenants/ops-secret-tenant-id/events", "{\"id\":\"ops-same\",\"type\":\"ops.type\",\"data\":{}}");

        var metrics = h.send("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        String text = metrics.text();
        assertThat(text).contains("herald_http_requests_seconds_count");
        assertThat(text).doesNotContain("ops-secret-tenant-id").doesNotContain(endpointId);

        Pattern series = Pattern.compile("^herald_http_requests_seconds_count\\{(.*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = series.matcher(text);
        boolean sawEndpoints = false;
        boolean sawEndpoint = false;
        while (m.find()) {
            Matcher route = Pattern.compile("route=\"([^\"]*)\"").matcher(m.group(1));
            assertThat(route.find()).as(m.group()).isTrue();
            String r = route.group(1);
            assertThat(r.equals("unmatched") || r.startsWith("/")).as(r).isTrue();
            assertThat(r).doesNotContain("ops-").doesNotContain("corpus");
            if (r.equals("/v1/tenants/{tenant}/endpoints")) {
                sawEndpoints = true;
            }
            if (r.equals("/v1/tenants/{tenant}/endpoints/{endpoint}")) {
                sawEndpoint = true;
            }
        }
        assertThat(sawEndpoints).as(text).isTrue();
        assertThat(sawEndpoint).isTrue();

        Matcher ingested = Pattern.compile("^herald_events_ingested_total(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(ingested.find()).as("herald_events_ingested_total in %s", text).isTrue();
        assertThat(Double.parseDouble(ingested.group(2))).isEqualTo(4.0);
        assertThat(text).containsPattern("(?m)^hikaricp_\\w+");
    }
}
