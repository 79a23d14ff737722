package dev.herald.store;

import java.time.Instant;
import java.util.List;

/**
 * A sealed delivery as the API shows it. {@code eventIds} and {@code attempts} are filled only when one
 * delivery is read, not in lists. {@code test}: a test-send (POST .../endpoints/{id}/test), sent once and left
 * out of the stats.
 */
public record Delivery(
        String id,
        String tenantId,
        String endpointId,
        Status status,
        int eventCount,
        int attemptCount,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant deliveredAt,
        boolean test,
        List<String> eventIds,
        List<Attempt> attempts) {

    /** This delivery with its event ids and attempts filled in. */
    public Delivery withDetail(List<String> ids, List<Attempt> all) {
        return new Delivery(id, tenantId, endpointId, status, eventCount, attemptCount, nextAttemptAt, createdAt,
                deliveredAt, test, ids, all);
    }

    public enum Status {
        PENDING, DELIVERED, FAILED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
