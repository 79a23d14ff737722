package dev.herald.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.util.Set;

/**
 * The route table: every route is registered with who may call it ({@link Access}, a Javalin route role) and the
 * query parameters it accepts ({@link QueryParams}, none unless declared). {@link Auth#enforce} checks the access
 * before the handler runs; the wrapper here then checks the query parameters and tags each request with its route
 * template, so metrics are labelled by {@code /v1/tenants/{tenant}/endpoints}, never by a raw path.
 */
final class Routes {
    static final String ROUTE = "herald.route";

    private final RoutesConfig routes;

    Routes(RoutesConfig routes) {
        this.routes = routes;
    }

    void get(String path, Access access, Handler h) {
        get(path, access, QueryParams.NONE, h);
    }

    void get(String path, Access access, QueryParams query, Handler h) {
        add(HandlerType.GET, path, access, query, h);
    }

    void post(String path, Access access, Handler h) {
        add(HandlerType.POST, path, access, QueryParams.NONE, h);
    }

    void patch(String path, Access access, Handler h) {
        add(HandlerType.PATCH, path, access, QueryParams.NONE, h);
    }

    void delete(String path, Access access, Handler h) {
        add(HandlerType.DELETE, path, access, QueryParams.NONE, h);
    }

    static String route(Context ctx) {
        String r = ctx.attribute(ROUTE);
        return r == null ? "unmatched" : r;
    }

    private void add(HandlerType method, String path, Access access, QueryParams query, Handler h) {
        routes.addEndpoint(new Endpoint(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            query.check(ctx);
            h.handle(ctx);
        }, Set.of(new Roles(Set.of(access)), query)));
    }
}
