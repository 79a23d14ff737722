package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.Databases;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Opening a database migrates it; a restart on a current schema does not start Flyway at all. */
class MigrationsTest {
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.*\\.sql");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theSchemaVersionIsTheNewestMigrationOfEachDialect(String dialect) throws Exception {
        assertThat(newestMigration(dialect))
                .as("the newest migration in db/migration/%s; raise Database.SCHEMA_VERSION to it", dialect)
                .isEqualTo(Database.SCHEMA_VERSION);
    }

    @Test
    void aDatabaseOneMigrationBehindIsMigratedWhenOpened() throws Exception {
        Path file = dir.resolve("herald.db");
        String url = "jdbc:sqlite:" + file;
        Flyway.configure().dataSource(url, null, null).locations(Dialect.SQLITE.migrations())
                .target(Integer.toString(Database.SCHEMA_VERSION - 1)).load().migrate();
        assertThat(newestApplied(url)).isEqualTo(Database.SCHEMA_VERSION - 1);

        Databases.open("sqlite", dir).close();

        assertThat(newestApplied(url)).isEqualTo(Database.SCHEMA_VERSION);
    }

    @Test
    void aRestartOnACurrentSchemaLeavesFlywayOut() throws Exception {
        Databases.open("sqlite", dir).close();
        String url = "jdbc:sqlite:" + dir.resolve("herald.db");
        // why: Flyway validates the checksums of applied migrations before it migrates; a changed one would stop
        // the start with an error, so a start that succeeds here never asked Flyway
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().executeUpdate("UPDATE flyway_schema_history SET checksum = 1 WHERE version = '1'");
        }

        Databases.open("sqlite", dir).close();
    }

    @Test
    void aFailedMigrationInTheHistoryIsLeftToFlyway() throws Exception {
        Databases.open("sqlite", dir).close();
        String url = "jdbc:sqlite:" + dir.resolve("herald.db");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().executeUpdate("UPDATE flyway_schema_history SET success = 0 WHERE version = '"
                    + Database.SCHEMA_VERSION + "'");
        }

        assertThatThrownBy(() -> Databases.open("sqlite", dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot prepare the schema");
    }

    private static int newestMigration(String dialect) throws IOException, URISyntaxException {
        Path folder = Path.of(MigrationsTest.class.getResource("/db/migration/" + dialect).toURI());
        List<Integer> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.forEach(f -> {
                Matcher m = VERSIONED.matcher(f.getFileName().toString());
                if (m.matches()) {
                    versions.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        return versions.stream().max(Integer::compare).orElseThrow();
    }

    private static int newestApplied(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             var rs = c.createStatement().executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
