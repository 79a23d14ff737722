package dev.herald.store;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which node sends each endpoint's deliveries, when several share one PostgreSQL: an endpoint is owned by one
 * node until a time it renews while it runs, so its caps, rate limit and ordering are counted in one process.
 * The policy (how long, how many each node takes) is {@code delivery/Ownership}'s; this is the SQL.
 */
public final class OwnershipStore {
    private final Database db;

    public OwnershipStore(Database db) {
        this.db = db;
    }

    /** Records this node's heartbeat and answers how many nodes have beaten since {@code aliveSince}. */
    public int heartbeat(String node, Instant now, Instant aliveSince) {
        return db.inRelaxedTransaction(c -> {
            if (Sql.update(c, "UPDATE nodes SET heartbeat_at = ? WHERE id = ?", now.toEpochMilli(), node) == 0) {
                Sql.update(c, "INSERT INTO nodes (id, heartbeat_at) VALUES (?, ?)", node, now.toEpochMilli());
            }
            Sql.update(c, "DELETE FROM nodes WHERE heartbeat_at < ?", aliveSince.minusSeconds(3600).toEpochMilli());
            return Sql.one(c, "SELECT COUNT(*) FROM nodes WHERE heartbeat_at >= ?", rs -> rs.getInt(1),
                    aliveSince.toEpochMilli()).orElse(1);
        });
    }

    /** Extends this node's hold on its endpoints; answers which it still holds (another may have taken some). */
    public Set<String> renew(String node, Instant until) {
        return db.inRelaxedTransaction(c -> new HashSet<>(Sql.list(c,
                "UPDATE endpoints SET owner_until = ? WHERE owner = ? RETURNING id", rs -> rs.getString(1),
                until.toEpochMilli(), node)));
    }

    /** Takes the endpoints no live node holds, of {@code ids}; answers those taken. */
    public Set<String> acquire(String node, Collection<String> ids, Instant now, Instant until) {
        return db.inRelaxedTransaction(c -> {
            Set<String> taken = new HashSet<>();
            for (String id : ids) {
                if (Sql.update(c, "UPDATE endpoints SET owner = ?, owner_until = ? WHERE id = ?"
                                + " AND (owner IS NULL OR owner = ? OR owner_until < ?)",
                        node, until.toEpochMilli(), id, node, now.toEpochMilli()) == 1) {
                    taken.add(id);
                }
            }
            return taken;
        });
    }

    /** The endpoints of {@code ids} that another live node holds at {@code now}. */
    public Set<String> heldByOthers(String node, Collection<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        List<Object> params = new java.util.ArrayList<>(ids);
        params.add(node);
        params.add(now.toEpochMilli());
        return db.read(c -> new HashSet<>(Sql.list(c, "SELECT id FROM endpoints WHERE id IN (" + marks + ")"
                + " AND owner IS NOT NULL AND owner <> ? AND owner_until >= ?", rs -> rs.getString(1), params.toArray())));
    }

    /**
     * Whether a lease on the endpoint's deliveries has not run out: right after a node takes an endpoint, those are
     * the previous owner's, and the new owner waits for them, so the cap holds across a handover.
     */
    public boolean leasedNow(String endpointId, Instant now) {
        return db.read(c -> Sql.one(c, "SELECT 1 FROM deliveries WHERE endpoint_id = ? AND status = 'pending'"
                + " AND lease_token IS NOT NULL AND lease_expires_at > ? LIMIT 1", rs -> true, endpointId, now.toEpochMilli())
                .isPresent());
    }

    /** Gives endpoints back (idle ones, or all at shutdown), so any node may take them at once. */
    public void release(String node, Collection<String> ids) {
        db.inRelaxedTransaction(c -> {
            for (String id : ids) {
                Sql.update(c, "UPDATE endpoints SET owner = NULL, owner_until = NULL WHERE id = ? AND owner = ?", id, node);
            }
            return null;
        });
    }

    /** At shutdown: gives back every endpoint and forgets the node. */
    public void leave(String node) {
        db.inTransaction(c -> {
            Sql.update(c, "UPDATE endpoints SET owner = NULL, owner_until = NULL WHERE owner = ?", node);
            return Sql.update(c, "DELETE FROM nodes WHERE id = ?", node);
        });
    }
}
