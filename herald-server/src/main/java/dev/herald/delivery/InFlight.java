package dev.herald.delivery;

import java.util.HashMap;
import java.util.Map;

/**
 * Every attempt in flight in this process, counted per endpoint, per tenant and in all, in one place under
 * one lock: a slot is reserved before a claim and released exactly once, on every path.
 *
 * <p>The rules (docs/concurrency.md, "Capacity"):
 * <ul>
 *   <li>an endpoint holds at most its {@code max_concurrency};
 *   <li>a tenant holds at most {@link Limits#perTenant()}, whatever its endpoints' settings, so no tenant
 *       can take another's capacity;
 *   <li>the process holds at most {@link Limits#total()}; its last {@link Limits#reserve()} slots go only to
 *       tenants holding fewer than {@link Limits#reserveBelow()}, so a tenant with nothing in flight finds a
 *       slot even while several others hang at their cap.
 * </ul>
 */
final class InFlight {
    /** The process-wide limits; see the class comment. */
    record Limits(int total, int perTenant, int reserve, int reserveBelow) {
        static final Limits DEFAULTS = new Limits(1024, 256, 128, 16);

        Limits {
            if (total < 1 || perTenant < 1 || perTenant > total || reserve < 0 || reserve >= total || reserveBelow < 0) {
                throw new IllegalArgumentException("in-flight limits must satisfy 1 <= perTenant <= total, 0 <= reserve < total;"
                        + " got total " + total + ", perTenant " + perTenant + ", reserve " + reserve);
            }
        }
    }

    private final Limits limits;
    private final Map<String, Integer> byEndpoint = new HashMap<>();
    private final Map<String, Integer> byTenant = new HashMap<>();
    private int total;

    InFlight(Limits limits) {
        this.limits = limits;
    }

    /** Reserves up to {@code wanted} slots for the endpoint; answers how many it got (maybe none). */
    synchronized int reserve(String tenantId, String endpointId, int endpointCap, int wanted) {
        int got = 0;
        while (got < wanted && mayStart(tenantId, endpointId, endpointCap)) {
            byEndpoint.merge(endpointId, 1, Integer::sum);
            byTenant.merge(tenantId, 1, Integer::sum);
            total++;
            got++;
        }
        return got;
    }

    /** Gives back {@code n} slots of the endpoint; entries that reach zero are dropped, so the maps stay small. */
    synchronized void release(String tenantId, String endpointId, int n) {
        if (n <= 0) {
            return;
        }
        if (byEndpoint.getOrDefault(endpointId, 0) < n || byTenant.getOrDefault(tenantId, 0) < n || total < n) {
            throw new IllegalStateException("Released " + n + " slot(s) of endpoint " + endpointId + " that were not reserved."
                    + " Should never happen: every slot is released once, by the path that reserved it.");
        }
        byEndpoint.computeIfPresent(endpointId, (k, v) -> v == n ? null : v - n);
        byTenant.computeIfPresent(tenantId, (k, v) -> v == n ? null : v - n);
        total -= n;
    }

    synchronized int total() {
        return total;
    }

    synchronized int ofTenant(String tenantId) {
        return byTenant.getOrDefault(tenantId, 0);
    }

    synchronized int trackedEndpoints() {
        return byEndpoint.size();
    }

    /** Whether the process has room for anyone at all (a cheap check before a claim round). */
    synchronized boolean full() {
        return total >= limits.total();
    }

    private boolean mayStart(String tenantId, String endpointId, int endpointCap) {
        int tenant = byTenant.getOrDefault(tenantId, 0);
        if (byEndpoint.getOrDefault(endpointId, 0) >= endpointCap || tenant >= limits.perTenant() || total >= limits.total()) {
            return false;
        }
        return tenant < limits.reserveBelow() || total < limits.total() - limits.reserve();
    }
}
