package dev.herald.api;

import dev.herald.portal.Portal;
import dev.herald.portal.Resource;
import io.javalin.http.Context;

/**
 * The partner portal ({@code /portal}) and the operator console ({@code /console}): public pages that
 * authenticate through the API with the token the person brings. Every answer, a 404 included, carries the
 * portal's security headers (Content-Security-Policy with frame-ancestors, nosniff, no referrer).
 */
final class PageRoutes {
    private final Portal portal;

    PageRoutes(Portal portal) {
        this.portal = portal;
    }

    void register(Routes r) {
        r.get("/portal", Access.PUBLIC, ctx -> page(ctx, "portal"));
        r.get("/console", Access.PUBLIC, ctx -> page(ctx, "console"));
        r.get(Portal.ASSETS_PREFIX + "{version}/{file}", Access.PUBLIC, ctx -> {
            headers(ctx);
            Resource asset = portal.asset(ctx.pathParam("version"), ctx.pathParam("file")).orElseThrow(() -> ApiError.notFound(
                    "no portal asset " + ctx.pathParam("file") + " in version " + ctx.pathParam("version")
                            + "; the pages name the current version (" + portal.version() + "), reload them"));
            Responses.resource(ctx, asset);
        });
    }

    private void page(Context ctx, String name) {
        headers(ctx);
        Responses.resource(ctx, portal.page(name).orElseThrow());
    }

    private void headers(Context ctx) {
        portal.headers().forEach(ctx::header);
    }
}
