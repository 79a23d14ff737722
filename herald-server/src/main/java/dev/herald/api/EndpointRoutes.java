package dev.herald.api;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointJson;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.signing.Secrets;
import dev.herald.signing.Signing;
import dev.herald.store.EndpointStore;
import dev.herald.store.Ids;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/** A tenant's endpoints: the admin and the tenant's own keys manage them. */
final class EndpointRoutes {
    /** How long the previous key keeps signing after a rotation or a switch of signing scheme. */
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
            String secret = EndpointValidator.initialKey(body);
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
            JsonNode patch = Bodies.json(ctx, Bodies.MAX_BODY);
            EndpointSpec spec = validator.validate(EndpointValidator.merge(current.spec(), patch));
            // why: switching scheme is a rotation across schemes: the new key signs at once and the old one alongside
            // for 24 h, so a receiver that verifies the old way keeps working until it has switched
            Signing signing = EndpointValidator.requestedSigning(patch).orElse(current.signing());
            boolean switches = signing != current.signing();
            Instant now = clock.instant();
            Endpoint updated = endpoints.update(current.tenantId(), current.id(), spec, switches ? signing.newKey() : null,
                    now, now.plus(SECRET_OVERLAP)).orElseThrow(() -> gone(ctx));
            onChanged.accept(updated.id());
            Responses.json(ctx, 200, switches ? EndpointJson.rotated(updated) : EndpointJson.view(updated, false));
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
            String secret;
            if (current.signing() == Signing.ED25519) {
                if (f.has("secret")) {
                    throw new Invalid("secret", "cannot be given for an endpoint with signing \"ed25519\": Herald makes the"
                            + " new key pair and keeps the private key; leave secret out and verify with the public_key in"
                            + " the answer");
                }
                secret = Signing.ED25519.newKey();
            } else {
                secret = f.has("secret") ? Secrets.validate("secret", f.requiredString("secret")) : Secrets.generate();
            }
            Instant now = clock.instant();
            Endpoint rotated = endpoints.rotateSecret(current.tenantId(), current.id(), secret, now, now.plus(SECRET_OVERLAP))
                    .orElseThrow(() -> gone(ctx));
            onChanged.accept(rotated.id());
            Responses.json(ctx, 200, EndpointJson.rotated(rotated));
        });
        // why: TENANT_WRITE on a read: the secret signs requests the partner trusts, so a read-only portal session,
        // which may look but not act, may not reveal it
        r.get(ENDPOINT + "/secret", Access.TENANT_WRITE, ctx -> Responses.json(ctx, 200, EndpointJson.keys(existing(ctx), clock.instant())));
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
