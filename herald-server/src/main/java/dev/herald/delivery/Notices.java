package dev.herald.delivery;

import dev.herald.json.Json;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.store.EventStore.Publish;
import dev.herald.store.EventType;
import dev.herald.store.EventTypeStore;
import dev.herald.store.TenantStore;
import dev.herald.tenant.Tenant;
import dev.herald.store.NewEvent;
import dev.herald.store.OutsideText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Herald's operational events, published into the operator's tenant ({@code HERALD_OPERATOR_TENANT}) with the
 * outcome that caused them, and delivered like any partner's events: {@code herald.endpoint.paused} and
 * {@code herald.delivery.failed}. Never about the operator tenant's own endpoints, so a failing operator
 * endpoint cannot feed itself.
 */
public final class Notices {
    static final String ENDPOINT_PAUSED = "herald.endpoint.paused";
    static final String DELIVERY_FAILED = "herald.delivery.failed";

    private final Optional<String> operatorTenant;

    Notices(Optional<String> operatorTenant) {
        this.operatorTenant = operatorTenant;
    }

    /**
     * Makes sure the operator tenant and the two event types exist (created at start when missing), so operators
     * can subscribe endpoints to them before anything happened.
     */
    public static void prepare(Optional<String> operatorTenant, TenantStore tenants, EventTypeStore eventTypes, Instant now) {
        if (operatorTenant.isEmpty()) {
            return;
        }
        if (tenants.get(operatorTenant.get()).isEmpty()) {
            tenants.create(new Tenant(operatorTenant.get(), "Herald operators", now));
        }
        eventTypes.create(new EventType(ENDPOINT_PAUSED, "Herald paused an endpoint of another tenant"
                + " (410 Gone, or every attempt failing for HERALD_PAUSE_FAILING_AFTER): {tenant_id, endpoint_id, reason, at}", now));
        eventTypes.create(new EventType(DELIVERY_FAILED, "A delivery of another tenant failed after its last attempt:"
                + " {tenant_id, endpoint_id, delivery_id, attempts, last_error, at}", now));
    }

    /** The outcome with the events it causes attached (none when no operator tenant is set). */
    Outcome attach(Outcome o, Instant now) {
        if (operatorTenant.isEmpty() || o.claim().test() || operatorTenant.get().equals(o.claim().endpoint().tenantId())) {
            return o;
        }
        List<NewEvent> events = new ArrayList<>(2);
        if (o.pauseReason() != null) {
            events.add(paused(o.claim().endpoint().tenantId(), o.claim().endpoint().id(), o.pauseReason(), now));
        }
        if (o.status() == dev.herald.store.Delivery.Status.FAILED) {
            events.add(failed(o.claim().endpoint().tenantId(), o.claim().endpoint().id(), o.claim().deliveryId(),
                    o.attempt().n(), o.attempt().statusCode() != null ? "HTTP " + o.attempt().statusCode() : o.attempt().error(),
                    now));
        }
        return events.isEmpty() ? o : o.withNotices(List.of(new Publish(operatorTenant.get(), events, now)));
    }

    /** A delivery that failed outside an outcome (its last allowed attempt was lost with its node), or empty. */
    Optional<Publish> lostLastAttempt(String tenantId, String endpointId, String deliveryId, int attempts, Instant now) {
        if (operatorTenant.isEmpty() || operatorTenant.get().equals(tenantId)) {
            return Optional.empty();
        }
        return Optional.of(new Publish(operatorTenant.get(),
                List.of(failed(tenantId, endpointId, deliveryId, attempts, dev.herald.store.DispatchStore.LOST_ATTEMPT, now)), now));
    }

    private static NewEvent paused(String tenantId, String endpointId, String reason, Instant at) {
        ObjectNode data = Json.object();
        data.put("tenant_id", tenantId);
        data.put("endpoint_id", endpointId);
        data.put("reason", reason);
        data.put("at", at.toString());
        // why: a deterministic id, so the same pause published twice (a retried transaction) is one event
        return new NewEvent(ENDPOINT_PAUSED + ":" + endpointId + ":" + at.toEpochMilli(), ENDPOINT_PAUSED, Json.write(data));
    }

    private static NewEvent failed(String tenantId, String endpointId, String deliveryId, int attempts, String lastError,
                                   Instant at) {
        ObjectNode data = Json.object();
        data.put("tenant_id", tenantId);
        data.put("endpoint_id", endpointId);
        data.put("delivery_id", deliveryId);
        data.put("attempts", attempts);
        data.put("last_error", OutsideText.clean(lastError));
        data.put("at", at.toString());
        return new NewEvent(DELIVERY_FAILED + ":" + deliveryId + ":" + attempts, DELIVERY_FAILED, Json.write(data));
    }
}
