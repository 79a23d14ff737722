package dev.herald.api;

import dev.herald.testing.TestHerald;

class SqliteEventSearchTest extends EventSearchTest {
    @Override
    TestHerald.Builder store(TestHerald.Builder builder) {
        return builder;
    }
}
