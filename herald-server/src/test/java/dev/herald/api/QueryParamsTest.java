package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An unknown query parameter is a 400 naming it on every route, never silently ignored. */
class QueryParamsTest {
    private static final String PAGE = "limit, cursor";
    /** Every listing route and what it accepts. */
    private static final Map<String, String> LISTS = Map.of(
            "/v1/tenants", PAGE,
            "/v1/event-types", PAGE,
            "/v1/tenants/qp/endpoints", PAGE,
            "/v1/tenants/qp/events", PAGE + ", type, since, until",
            "/v1/tenants/qp/deliveries", PAGE + ", status, endpoint_id, event_id, event_type, since, until");
    private static TestHerald h;
    private static String endpointId;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("qp");
        endpointId = h.post("/v1/tenants/qp/endpoints", "{\"url\":\"http://127.0.0.1:9/h\"}").json().get("id").stringValue();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void anUnknownParameterOnAListIs400NamingItAndWhatTheRouteAccepts() {
        LISTS.forEach((path, accepted) -> {
            for (String unknown : List.of("sort", "Limit", "foo", "eventId")) {
                var r = h.get(path + "?limit=5&" + unknown + "=x");
                assertProblem(r, 400);
                assertThat(r.json().get("field").stringValue()).as(path).isEqualTo(unknown);
                assertThat(r.json().get("detail").stringValue()).as(path).contains("'" + unknown + "'").contains(accepted);
            }
            // a parameter without a value is still a parameter
            assertThat(h.get(path + "?bogus").json().get("field").stringValue()).isEqualTo("bogus");
            // the declared ones still work
            assertThat(h.get(path + "?limit=5").status()).as(path).isEqualTo(200);
            assertThat(h.get(path + "?limit=5&").status()).as(path).isEqualTo(200);
        });
    }

    @Test
    void theDeliveryFiltersAreAccepted() {
        var r = h.get("/v1/tenants/qp/deliveries?status=pending&endpoint_id=" + endpointId + "&limit=10");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        var all = h.get("/v1/tenants/qp/deliveries?status=pending&endpoint_id=" + endpointId + "&event_id=e-1&event_type=t"
                + "&since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z&limit=10");
        assertThat(all.status()).as(all.text()).isEqualTo(200);
        var events = h.get("/v1/tenants/qp/events?type=t&since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z&limit=10");
        assertThat(events.status()).as(events.text()).isEqualTo(200);
    }

    @Test
    void theStatsRangeIsAcceptedAndNothingElse() {
        String path = "/v1/tenants/qp/endpoints/" + endpointId + "/stats";
        assertThat(h.get(path + "?since=2024-03-20T00:00:00Z&until=2024-03-20T07:00:00Z").status()).isEqualTo(200);
        var r = h.get(path + "?limit=5");
        assertProblem(r, 400);
        assertThat(r.json().get("detail").stringValue()).contains("'limit'").contains("since, until");
    }

    @Test
    void aRouteWithoutParametersRefusesAnyParameter() {
        for (String path : List.of("/v1/tenants/qp", "/v1/tenants/qp/endpoints/" + endpointId, "/healthz", "/readyz")) {
            var r = h.get(path + "?limit=5");
            assertProblem(r, 400);
            assertThat(r.json().get("field").stringValue()).isEqualTo("limit");
            assertThat(r.json().get("detail").stringValue()).contains("takes no query parameters");
        }
        var post = h.post("/v1/tenants?dry_run=true", "{\"id\":\"qp-new\",\"name\":\"n\"}");
        assertProblem(post, 400);
        assertThat(post.json().get("field").stringValue()).isEqualTo("dry_run");
        assertThat(h.get("/v1/tenants/qp-new").status()).isEqualTo(404);
    }
}
