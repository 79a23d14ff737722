package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Herald;
import dev.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PrivateFilesAndIdleStatsTest {
    @Test
    void theSqliteDatabaseHoldingSecretsIsReadableByItsOwnerOnly() throws Exception {
        try (TestHerald h = TestHerald.sqlite()) {
            var file = h.dataDir().resolve(Herald.SQLITE_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }

    @Test
    void queueStatisticsOfAnIdleStoreAreZeroWithNoOldestDue() {
        try (TestHerald h = TestHerald.sqlite()) {
            DispatchStore.Stats s = new DispatchStore(h.herald().database(), SecretBox.plaintext(), null).stats(Instant.now());
            assertThat(s).isEqualTo(new DispatchStore.Stats(0, 0, 0, null));
        }
    }
}
