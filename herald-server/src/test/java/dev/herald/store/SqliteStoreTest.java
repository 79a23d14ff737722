package dev.herald.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store suite on embedded SQLite: a database file in a temporary directory per test. */
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Database open() {
        return Database.sqlite(dir.resolve("herald.db"), new SimpleMeterRegistry());
    }

    @Override
    protected String emptyDatabase() {
        return "jdbc:sqlite:" + dir.resolve("older.db");
    }

    @Override
    protected Database open(String url) {
        return Database.sqlite(Path.of(url.substring("jdbc:sqlite:".length())), new SimpleMeterRegistry());
    }
}
