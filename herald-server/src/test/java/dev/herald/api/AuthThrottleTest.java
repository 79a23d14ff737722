package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN.md "Access": 20 failed authentications from one address within a minute, and it gets 429 for a minute. */
class AuthThrottleTest {
    @Test
    void afterTwentyFailuresAnAddressWithoutAValidTokenGets429ForAMinuteWhileValidTokensWork() {
        SettableClock clock = new SettableClock();
        try (TestHerald h = TestHerald.builder().clock(clock).start()) {
            h.seed("throttled");
            String key = h.post("/v1/tenants/throttled/keys", "").json().get("key").stringValue();
            for (int i = 0; i < 19; i++) {
                assertProblem(h.send("GET", "/v1/tenants", null, "wrong-token-" + i), 401);
            }
            assertProblem(h.send("GET", "/v1/tenants", null, null), 401); // a missing token counts too: the 20th
            clock.tick(Duration.ofSeconds(30));

            var refused = h.send("GET", "/v1/tenants", null, "wrong-token-21");
            assertProblem(refused, 429);
            assertThat(refused.header("Retry-After")).isEqualTo("30");
            assertProblem(h.send("GET", "/v1/tenants/throttled/endpoints", null, null), 429);
            assertProblem(h.send("GET", "/v1/tenants/throttled/endpoints", null, key + "x"), 429);
            // a forwarded-for header a client writes itself is not its address
            assertThat(withForwardedFor(h, "203.0.113.9")).isEqualTo(429);
            // valid credentials from the same address keep working
            assertThat(h.get("/v1/tenants").status()).isEqualTo(200);
            assertThat(h.send("GET", "/v1/tenants/throttled/endpoints", null, key).status()).isEqualTo(200);
            // routes without authentication are not throttled
            assertThat(h.send("GET", "/healthz", null, null).status()).isEqualTo(200);

            clock.tick(Duration.ofSeconds(30));
            assertProblem(h.send("GET", "/v1/tenants", null, "wrong-again"), 401);
        }
    }

    private static int withForwardedFor(TestHerald h, String address) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.baseUrl() + "/v1/tenants"))
                    .header("Authorization", "Bearer wrong").header("X-Forwarded-For", address).build();
            return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteAreNotThrottled() {
        SettableClock clock = new SettableClock();
        try (TestHerald h = TestHerald.builder().clock(clock).start()) {
            for (int i = 0; i < 60; i++) {
                assertProblem(h.send("GET", "/v1/tenants", null, "wrong"), 401);
                clock.tick(Duration.ofSeconds(4)); // 15 a minute
            }
        }
    }

    @Test
    void manyAddressesCannotGrowTheTableWithoutBound() {
        SettableClock clock = new SettableClock();
        AuthThrottle throttle = new AuthThrottle(clock);
        for (int i = 0; i < AuthThrottle.MAX_ADDRESSES * 3; i++) {
            throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        assertThat(throttle.size()).isEqualTo(AuthThrottle.MAX_ADDRESSES);
        // an address being throttled right now is remembered while others come and go
        for (int i = 0; i < AuthThrottle.LIMIT; i++) {
            assertThat(throttle.failed("192.0.2.7")).isNull();
        }
        assertThat(throttle.failed("192.0.2.7")).isEqualTo(AuthThrottle.BLOCK);
    }
}
