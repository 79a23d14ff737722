package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Cursor pagination: limits, bad cursors, and complete walks while items are being added. */
class PaginationTest {
    /** Every listing route, each paginated the same way. */
    private static final List<String> LISTS = List.of("/v1/tenants", "/v1/event-types", "/v1/tenants/page-eps/endpoints",
            "/v1/tenants/page-eps/deliveries", "/v1/tenants/page-eps/events");
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("page-eps");
        for (int i = 0; i < 60; i++) {
            assertThat(h.post("/v1/tenants/page-eps/endpoints", "{\"url\":\"http://127.0.0.1:9/h" + i + "\"}").status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void defaultLimitIs50() {
        var first = h.get("/v1/tenants/page-eps/endpoints");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("data").size()).isEqualTo(50);
        assertThat(first.json().get("next_cursor").isString()).isTrue();
        var second = h.get("/v1/tenants/page-eps/endpoints?cursor=" + first.json().get("next_cursor").stringValue());
        assertThat(second.json().get("data").size()).isEqualTo(10);
        assertThat(second.json().get("next_cursor").isNull()).isTrue();
        var all = h.get("/v1/tenants/page-eps/endpoints?limit=250");
        assertThat(all.json().get("data").size()).isEqualTo(60);
        assertThat(all.json().get("next_cursor").isNull()).isTrue();
        assertThat(h.get("/v1/tenants/page-eps/endpoints?limit=60").json().get("data").size()).isEqualTo(60);
        assertThat(h.get("/v1/tenants/page-eps/endpoints?limit=1").json().get("data").size()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "251", "x", "-1", "1.5", "99999999999", "%20", "1e2"})
    void badLimitIs400NamingLimit(String limit) {
        for (String path : LISTS) {
            var r = h.get(path + "?limit=" + limit);
            assertProblem(r, 400);
            assertThat(r.json().get("detail").stringValue()).as(path).contains("limit");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage!", "abc", "%00", "a2V5", "eDp4"})
    void badCursorIs400(String cursor) {
        for (String path : LISTS) {
            var r = h.get(path + "?cursor=" + cursor);
            assertProblem(r, 400);
            assertThat(r.json().get("detail").stringValue()).as(path).contains("cursor");
        }
    }

    @Test
    void badStatusFilterOnDeliveriesIs400() {
        assertProblem(h.get("/v1/tenants/page-eps/deliveries?status=lost"), 400);
        assertThat(h.get("/v1/tenants/page-eps/deliveries?status=failed").status()).isEqualTo(200);
    }

    /** Walks every page, adding {@code perPage} new items (through {@code insert}) between page fetches. */
    private static List<String> walk(String path, int limit, Runnable insert) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = h.get(path + "?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            JsonNode data = page.json().get("data");
            assertThat(data.size()).isLessThanOrEqualTo(limit);
            data.forEach(item -> seen.add(item.get("id").stringValue()));
            JsonNode next = page.json().get("next_cursor");
            cursor = next.isNull() ? null : next.stringValue();
            insert.run();
            assertThat(++pages).as("pages").isLessThan(1000);
        } while (cursor != null);
        return seen;
    }

    @Test
    void walkingTenantsWhileInsertingSeesEveryEarlierTenantOnce() {
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 45; i++) {
            String id = "page-t-" + i;
            h.post("/v1/tenants", "{\"id\":\"" + id + "\",\"name\":\"n\"}");
            before.add(id);
        }
        int[] n = {0};
        List<String> inserted = new ArrayList<>();
        List<String> seen = walk("/v1/tenants", 7, () -> {
            // ids that sort before, between and after the walk's position
            for (String prefix : List.of("0", "page-t-", "zz")) {
                String id = prefix + "new-" + n[0]++;
                assertThat(h.post("/v1/tenants", "{\"id\":\"" + id + "\",\"name\":\"n\"}").status()).isEqualTo(201);
                inserted.add(id);
            }
        });
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsAll(before);
        assertThat(seen).isSortedAccordingTo(String::compareTo);
        // what the walk missed was only added during it
        Set<String> all = new HashSet<>(walk("/v1/tenants", 250, () -> { }));
        Set<String> missed = new HashSet<>(all);
        missed.removeAll(seen);
        assertThat(inserted).containsAll(missed);
    }

    @Test
    void walkingEndpointsWhileInsertingSeesEveryEarlierEndpointOnce() {
        h.seed("page-walk");
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            before.add(h.post("/v1/tenants/page-walk/endpoints", "{\"url\":\"http://127.0.0.1:9/b" + i + "\"}").json().get("id").stringValue());
        }
        List<String> inserted = new ArrayList<>();
        List<String> seen = walk("/v1/tenants/page-walk/endpoints", 4, () -> {
            var r = h.post("/v1/tenants/page-walk/endpoints", "{\"url\":\"http://127.0.0.1:9/new\"}");
            assertThat(r.status()).isEqualTo(201);
            inserted.add(r.json().get("id").stringValue());
        });
        assertThat(seen).doesNotHaveDuplicates().containsAll(before);
        // no other tenant's endpoints leak in
        Set<String> own = new HashSet<>(before);
        own.addAll(inserted);
        assertThat(own).containsAll(seen);
    }

    @Test
    void walkingEventsWhilePublishingSeesEveryEarlierEventOnceNewestFirst() {
        h.seed("page-events", "page.type");
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            // why: some in one publish (one created_at), some alone, so the walk pages inside a millisecond too
            String body = i % 3 == 0 ? "{\"events\":[{\"id\":\"b" + i + "\",\"type\":\"page.type\",\"data\":{}},"
                    + "{\"id\":\"c" + i + "\",\"type\":\"page.type\",\"data\":{}}]}" : null;
            if (body != null) {
                assertThat(h.post("/v1/tenants/page-events/events/bulk", body).status()).isEqualTo(202);
                before.add(0, "b" + i);
                before.add(0, "c" + i);
            } else {
                assertThat(h.post("/v1/tenants/page-events/events", "{\"id\":\"a" + i + "\",\"type\":\"page.type\",\"data\":{}}")
                        .status()).isEqualTo(202);
                before.add(0, "a" + i);
            }
        }
        int[] n = {0};
        List<String> seen = walk("/v1/tenants/page-events/events", 4, () -> assertThat(h.post("/v1/tenants/page-events/events",
                "{\"id\":\"new" + n[0]++ + "\",\"type\":\"page.type\",\"data\":{}}").status()).isEqualTo(202));

        assertThat(seen).as("newer events are ahead of the walk and never seen").isEqualTo(before);
    }

    @Test
    void aCursorFromAnotherListIsHarmless() {
        var first = h.get("/v1/tenants/page-eps/endpoints?limit=2");
        String cursor = first.json().get("next_cursor").stringValue();
        var r = h.get("/v1/tenants?cursor=" + cursor);
        assertThat(r.status()).isEqualTo(200);
        // a cursor this API could have made, for a key past everything, is an empty last page
        String end = Base64.getUrlEncoder().withoutPadding().encodeToString("k:~~~~".getBytes(StandardCharsets.UTF_8));
        var last = h.get("/v1/tenants?cursor=" + end);
        assertThat(last.status()).isEqualTo(200);
        assertThat(last.json().get("data").size()).isZero();
        assertThat(last.json().get("next_cursor").isNull()).isTrue();
    }
}
