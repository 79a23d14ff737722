package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.Test;

/** Authorisation is declared, not remembered: every route says who may call it, and every API route needs a token. */
class RouteTableTest {

    @Test
    void everyRouteHasExactlyOneAccessAndEveryV1RouteNeedsAToken() {
        try (TestHerald h = TestHerald.sqlite()) {
            var routes = h.herald().api().routes();

            assertThat(routes).isNotEmpty();
            assertThat(routes).allSatisfy(r -> assertThat(r.access()).as(r.method() + " " + r.path())
                    .isIn("PUBLIC", "AUTHENTICATED", "ADMIN", "TENANT_READ", "TENANT_WRITE"));
            assertThat(routes).filteredOn(r -> r.path().startsWith("/v1/"))
                    .allSatisfy(r -> assertThat(r.access()).as(r.method() + " " + r.path()).isNotEqualTo("PUBLIC"));
            assertThat(routes).filteredOn(r -> r.path().startsWith("/v1/tenants/{tenant}") && !r.access().equals("ADMIN"))
                    .as("a tenant's own routes are guarded by its tenant")
                    .allSatisfy(r -> assertThat(r.access()).startsWith("TENANT_"));
            assertThat(routes).filteredOn(r -> r.method().equals("GET") && r.access().equals("TENANT_WRITE"))
                    .as("the only read a read-only session may not make").extracting(HttpApiRoute::of)
                    .containsExactly("/v1/tenants/{tenant}/endpoints/{endpoint}/secret");
        }
    }

    /** A route's path, for readable assertions. */
    private record HttpApiRoute(String path) {
        static String of(dev.herald.api.HttpApi.Route r) {
            return r.path();
        }
    }
}
