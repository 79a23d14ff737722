package dev.herald.delivery;

import dev.herald.store.DispatchStore.Due;
import dev.herald.store.OwnershipStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which endpoints this node sends, when several nodes share PostgreSQL. Each endpoint with due work is held by one
 * node for {@link #HOLD}, renewed every {@link #RENEW_EVERY} while the node runs, so its {@code max_concurrency},
 * {@code rate_limit_per_s} and ordering are counted in one process and hold for the whole cluster. A node takes at
 * most a fair share of the endpoints that need sending (those due, divided by the live nodes); an endpoint whose
 * owner died is free once its hold has passed, and its new owner waits for the old owner's leases to end before
 * sending, so a handover never exceeds the cap. Idle endpoints are given back. On SQLite (one process) this node
 * holds everything.
 */
final class Ownership {
    static final Duration HOLD = Duration.ofSeconds(15);
    static final Duration RENEW_EVERY = Duration.ofSeconds(3);
    /** A node that has not beaten for this long no longer counts in the fair share. */
    static final Duration ALIVE = Duration.ofSeconds(15);
    /** The hold this node believes it has ends this much before the time in the database, for clock skew. */
    static final Duration SAFETY = Duration.ofSeconds(3);

    private final OwnershipStore store;
    private final String node = UUID.randomUUID().toString();
    private final Set<String> held = new HashSet<>();
    /** Taken, but another node's leases on them have not ended yet. */
    private final Set<String> handingOver = new HashSet<>();
    private Instant renewedAt = Instant.MIN;
    private volatile Instant validUntil = Instant.MIN;
    private int liveNodes = 1;

    /** @param store null on SQLite, where one process holds every endpoint */
    Ownership(OwnershipStore store) {
        this.store = store;
    }

    /**
     * Of the endpoints with due deliveries, those this node may send now: the ones it holds (renewed when due) and,
     * up to its fair share, ones no live node holds.
     */
    Set<String> sendable(List<Due> due, Instant now) {
        Set<String> ids = new HashSet<>();
        due.forEach(d -> ids.add(d.endpoint().id()));
        if (store == null) {
            return ids;
        }
        if (!now.isBefore(renewedAt.plus(RENEW_EVERY))) {
            liveNodes = Math.max(1, store.heartbeat(node, now, now.minus(ALIVE)));
            held.retainAll(store.renew(node, now.plus(HOLD)));
            renewedAt = now;
            validUntil = now.plus(HOLD).minus(SAFETY);
        }
        int share = (ids.size() + liveNodes - 1) / liveNodes;
        List<String> free = new ArrayList<>(ids);
        free.removeAll(held);
        free.removeAll(store.heldByOthers(node, free, now));
        int room = Math.max(0, share - (int) ids.stream().filter(held::contains).count());
        if (room > 0 && !free.isEmpty()) {
            java.util.Collections.shuffle(free);
            Set<String> taken = store.acquire(node, free.subList(0, Math.min(room, free.size())), now, now.plus(HOLD));
            held.addAll(taken);
            handingOver.addAll(taken);
        }
        handingOver.retainAll(held);
        handingOver.removeIf(id -> !store.leasedNow(id, now));
        Set<String> out = new HashSet<>(ids);
        out.retainAll(held);
        out.removeAll(handingOver);
        return out;
    }

    /** Whether this node may start a request for an endpoint it holds (its hold has not lapsed). */
    boolean valid(Instant now) {
        return store == null || now.isBefore(validUntil);
    }

    /** Whether this node still holds the endpoint (always on SQLite). */
    boolean holds(String endpointId) {
        return store == null || held.contains(endpointId);
    }

    /** Gives back endpoints this node no longer needs (idle lanes). */
    void release(Collection<String> ids) {
        if (store != null && !ids.isEmpty()) {
            store.release(node, ids);
            held.removeAll(ids);
        }
    }

    /** At shutdown: gives back everything. */
    void leave() {
        if (store != null) {
            store.leave(node);
            held.clear();
        }
    }
}
