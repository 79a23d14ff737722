package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Databases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's write-ahead log reaches the database file on the checkpoint thread, not in a writer's commit. */
class CheckpointerTest {
    @TempDir
    Path dir;

    @Test
    void committedPagesReachTheDatabaseFileWithoutAWriterCheckpointing() throws Exception {
        try (Database db = Databases.open("sqlite", dir)) {
            Path file = dir.resolve("herald.db");
            db.inTransaction(c -> c.createStatement().execute("CREATE TABLE scratch (b BLOB)"));
            long before = Files.size(file);

            // why: about 2 MiB, far under the writers' own threshold, so only the checkpoint thread copies it over
            for (int i = 0; i < 8; i++) {
                db.inTransaction(c -> {
                    try (var insert = c.prepareStatement("INSERT INTO scratch (b) VALUES (randomblob(65536))")) {
                        for (int j = 0; j < 4; j++) {
                            insert.executeUpdate();
                        }
                    }
                    return null;
                });
            }

            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Files.size(file)).isGreaterThan(before + 1_500_000));
        }
    }
}
