package dev.herald.bench;

/** How much load each scenario drives; quick is about 1/20 of full. */
record Sizes(
        String mode,
        int runs,
        int startLaunches,
        int bulkEvents,
        int singleEvents,
        int deliveryEvents,
        int batchEvents,
        int latencySeconds,
        int latencyRate,
        int coldSeconds,
        int coldRate,
        int backlogEvents,
        int failingEvents,
        int limitRequests,
        int sqliteRows) {

    static Sizes full() {
        return new Sizes("full", 3, 5, 200_000, 50_000, 50_000, 200_000, 10, 1_000, 10, 500, 1_000_000, 2_000, 20_000, 3_000);
    }

    static Sizes quick() {
        return new Sizes("quick", 1, 2, 10_000, 1_000, 1_000, 10_000, 2, 1_000, 2, 500, 10_000, 100, 2_000, 500);
    }

    Sizes withRuns(int n) {
        return new Sizes(mode, n, startLaunches, bulkEvents, singleEvents, deliveryEvents, batchEvents, latencySeconds,
                latencyRate, coldSeconds, coldRate, backlogEvents, failingEvents, limitRequests, sqliteRows);
    }

    boolean isQuick() {
        return mode.equals("quick");
    }
}
