package dev.herald.delivery;

import dev.herald.testing.TestHerald;

class SqliteRetryTest extends RetryTest {
    @Override
    TestHerald.Builder store(TestHerald.Builder builder) {
        return builder;
    }
}
