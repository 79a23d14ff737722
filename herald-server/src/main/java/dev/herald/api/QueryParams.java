package dev.herald.api;

import io.javalin.http.Context;
import io.javalin.router.EndpointMetadata;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The query parameters one route accepts, declared where the route is registered. {@link Routes} checks every
 * request against them before its handler runs, so a parameter the route does not know (a misspelt filter)
 * is a 400 naming it instead of being ignored and answering with everything.
 */
record QueryParams(Set<String> names) implements EndpointMetadata {
    static final QueryParams NONE = new QueryParams(Set.of());
    /** What every list accepts: {@code ?limit=&cursor=}. */
    static final QueryParams PAGE = NONE.and("limit", "cursor");

    QueryParams {
        names = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(names));
    }

    /** These parameters and {@code more}. */
    QueryParams and(String... more) {
        Set<String> all = new LinkedHashSet<>(names);
        all.addAll(List.of(more));
        return new QueryParams(all);
    }

    /** Throws a 400 naming the first parameter of the request that is not declared. */
    void check(Context ctx) {
        if (ctx.queryString() == null) {
            return;
        }
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.isEmpty() && !names.contains(name)) {
                throw ApiError.badRequest(name, "unknown query parameter '" + printable(name) + "'; "
                        + (names.isEmpty() ? "this route takes no query parameters"
                        : "this route accepts " + String.join(", ", names)));
            }
        }
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 100 ? t.substring(0, 100) + "..." : t;
    }
}
