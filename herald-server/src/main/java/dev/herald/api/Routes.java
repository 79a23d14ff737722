package dev.herald.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Registers handlers with the query parameters each accepts ({@link QueryParams}, none unless declared), checks
 * them before the handler runs, and tags each request with its route template, so metrics are labelled by
 * {@code /v1/tenants/{tenant}/endpoints}, never by a raw path holding tenant ids.
 */
final class Routes {
    static final String ROUTE = "herald.route";

    private final RoutesConfig routes;

    Routes(RoutesConfig routes) {
        this.routes = routes;
    }

    void get(String path, Handler h) {
        get(path, QueryParams.NONE, h);
    }

    void get(String path, QueryParams query, Handler h) {
        routes.get(path, tagged(path, query, h));
    }

    void post(String path, Handler h) {
        routes.post(path, tagged(path, QueryParams.NONE, h));
    }

    void patch(String path, Handler h) {
        routes.patch(path, tagged(path, QueryParams.NONE, h));
    }

    void delete(String path, Handler h) {
        routes.delete(path, tagged(path, QueryParams.NONE, h));
    }

    static String route(Context ctx) {
        String r = ctx.attribute(ROUTE);
        return r == null ? "unmatched" : r;
    }

    private static Handler tagged(String path, QueryParams query, Handler h) {
        return ctx -> {
            ctx.attribute(ROUTE, path);
            query.check(ctx);
            h.handle(ctx);
        };
    }
}
