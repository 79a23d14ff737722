package dev.herald.store;

import dev.herald.testing.Databases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The store suite on PostgreSQL: a fresh database per test, on HERALD_TEST_DATABASE_URL or the embedded
 * server. Never skipped: without PostgreSQL these tests fail, because CI requires them to run.
 */
class PostgresqlStoreTest extends StoreContractTest {
    private String url;

    @Override
    protected Database open() {
        if (url == null) {
            url = Databases.freshPostgres();
        }
        return Database.postgres(url, new SimpleMeterRegistry());
    }

    @Override
    protected String emptyDatabase() {
        return Databases.freshPostgres();
    }

    @Override
    protected Database open(String url) {
        return Database.postgres(url, new SimpleMeterRegistry());
    }
}
