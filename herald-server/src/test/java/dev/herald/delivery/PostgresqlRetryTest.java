package dev.herald.delivery;

import dev.herald.testing.TestHerald;

class PostgresqlRetryTest extends RetryTest {
    @Override
    TestHerald.Builder store(TestHerald.Builder builder) {
        return builder.postgres();
    }
}
