package dev.herald.api;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointJson;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.signing.Secrets;
import dev.herald.store.EndpointStore;
import dev.herald.store.Ids;
import dev.herald.validation.Fields;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/** A tenant's endpoints: the admin and the tenant's own keys manage them. */
final class EndpointRoutes {
    /** How long the previous secret keeps signing after a rotation. */
    static final Duration SECRET_OVERLAP = Duration.ofHours(24);
    private static final String ENDPOINT = "/v1/tenants/{tenant}/endpoints/{endpoint}";

    private final ManagementRoutes management;
    private final EndpointStore endpoints;
    private final EndpointValidator validator;
    private final Clock clock;
    private final int maxPerTenant;
    private final Consumer<String> onChanged;
    private final Runnable onDeleted;

    /**
     * @param onChanged told the id of an endpoint whose settings, status or secret changed (so the engine reads it
     *                  again before it sends more, and looks for deliveries a resume made sendable)
     * @param onDeleted told when an endpoint was deleted, so its rows are purged in the background
     */
    EndpointRoutes(ManagementRoutes management, EndpointStore endpoints, EndpointValidator validator, Clock clock,
                   int maxPerTenant, Consumer<String> onChanged, Runnable onDeleted) {
        this.management = management;
        this.endpoints = endpoints;
        this.validator = validator;
        this.clock = clock;
        this.maxPerTenant = maxPerTenant;
        this.onChanged = onChanged;
        this.onDeleted = onDeleted;
    }

    void register(Routes r) {
        r.post("/v1/tenants/{tenant}/endpoints", Access.TENANT_WRITE, ctx -> {
            String tenant = tenant(ctx);
            JsonNode body = Bodies.json(ctx, Bodies.MAX_BODY);
            EndpointSpec spec = validator.validate(body);
            Fields f = Fields.of(body, "");
            String secret = f.has("secret") ? Secrets.validate("secret", f.requiredString("secret")) : Secrets.generate();
            Instant now = clock.instant();
            Endpoint e = new Endpoint(Ids.uuid7(clock), tenant, spec, secret, null, null, null, now, now);
            if (!endpoints.create(e, maxPerTenant)) {
                throw ApiError.conflict("tenant " + tenant + " has " + maxPerTenant + " endpoints, the most this Herald allows"
                        + " (HERALD_MAX_ENDPOINTS_PER_TENANT); delete one first");
            }
            Responses.json(ctx, 201, EndpointJson.view(e, true));
        });
        r.get("/v1/tenants/{tenant}/endpoints", Access.TENANT_READ, QueryParams.PAGE, ctx -> {
            String tenant = tenant(ctx);
            Responses.json(ctx, 200, Pagination.page(endpoints.list(tenant, Pagination.cursor(ctx), Pagination.limit(ctx)),
                    e -> EndpointJson.view(e, false)));
        });
        r.get(ENDPOINT, Access.TENANT_READ, ctx -> Responses.json(ctx, 200, EndpointJson.view(existing(ctx), false)));
        r.patch(ENDPOINT, Access.TENANT_WRITE, ctx -> {
            Endpoint current = existing(ctx);
            EndpointSpec spec = validator.validate(EndpointValidator.merge(current.spec(), Bodies.json(ctx, Bodies.MAX_BODY)));
            Endpoint updated = endpoints.update(current.tenantId(), current.id(), spec, clock.instant())
                    .orElseThrow(() -> gone(ctx));
            onChanged.accept(updated.id());
            Responses.json(ctx, 200, EndpointJson.view(updated, false));
        });
        r.delete(ENDPOINT, Access.TENANT_WRITE, ctx -> {
            String tenant = tenant(ctx);
            if (!endpoints.delete(tenant, ctx.pathParam("endpoint"), clock.instant())) {
                throw gone(ctx);
            }
            onChanged.accept(ctx.pathParam("endpoint"));
            onDeleted.run();
            ctx.status(204);
        });
        r.post(ENDPOINT + "/rotate-secret", Access.TENANT_WRITE, ctx -> {
            Endpoint current = existing(ctx);
            Fields f = Fields.of(Bodies.optionalJson(ctx), "").only("secret");
            String secret = f.has("secret") ? Secrets.validate("secret", f.requiredString("secret")) : Secrets.generate();
            Instant now = clock.instant();
            Endpoint rotated = endpoints.rotateSecret(current.tenantId(), current.id(), secret, now, now.plus(SECRET_OVERLAP))
                    .orElseThrow(() -> gone(ctx));
            var view = EndpointJson.view(rotated, true);
            view.put("previous_secret_expires_at", rotated.previousSecretExpiresAt().toString());
            onChanged.accept(rotated.id());
            Responses.json(ctx, 200, view);
        });
    }

    private String tenant(Context ctx) {
        return management.existing(ctx.pathParam("tenant")).id();
    }

    private Endpoint existing(Context ctx) {
        return endpoints.get(tenant(ctx), ctx.pathParam("endpoint")).orElseThrow(() -> gone(ctx));
    }

    private static ApiError gone(Context ctx) {
        return ApiError.notFound("no endpoint " + ctx.pathParam("endpoint") + " for tenant " + ctx.pathParam("tenant"));
    }
}
