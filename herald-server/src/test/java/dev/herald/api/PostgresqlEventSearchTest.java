package dev.herald.api;

import dev.herald.testing.TestHerald;

class PostgresqlEventSearchTest extends EventSearchTest {
    @Override
    TestHerald.Builder store(TestHerald.Builder builder) {
        return builder.postgres();
    }
}
