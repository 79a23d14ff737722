package dev.herald.api;

import dev.herald.docs.ApiDocs;
import dev.herald.portal.Resource;
import io.javalin.http.Context;
import java.util.Map;

/**
 * {@code /openapi.json}, the OpenAPI 3.1 document of every route, and {@code /docs}, the page that renders it. Public:
 * the document holds no secret, and the page's "try it out" sends the token the reader brings. Every answer carries
 * the portal's security headers (a Content-Security-Policy with no inline script or style).
 */
final class DocsRoutes {
    private final Map<String, String> securityHeaders;

    DocsRoutes(Map<String, String> securityHeaders) {
        this.securityHeaders = securityHeaders;
    }

    void register(Routes r) {
        r.get("/openapi.json", Access.PUBLIC, ctx -> send(ctx, ApiDocs.get().json()));
        r.get("/docs", Access.PUBLIC, ctx -> send(ctx, ApiDocs.get().page()));
        r.get(ApiDocs.ASSETS_PREFIX + "{version}/{file}", Access.PUBLIC, ctx -> {
            ApiDocs docs = ApiDocs.get();
            securityHeaders.forEach(ctx::header); // why: on the 404 too
            send(ctx, docs.asset(ctx.pathParam("version"), ctx.pathParam("file")).orElseThrow(() -> ApiError.notFound(
                    "no docs asset " + ctx.pathParam("file") + " in version " + ctx.pathParam("version")
                            + "; the page names the current version (" + docs.version() + "), reload it")));
        });
    }

    private void send(Context ctx, Resource r) {
        securityHeaders.forEach(ctx::header);
        Responses.resource(ctx, r);
    }
}
