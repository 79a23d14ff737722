package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.store.Database.JdbcUrl;
import org.junit.jupiter.api.Test;

class JdbcUrlTest {
    @Test
    void splitsAPostgresqlUrlIntoJdbcUrlAndDecodedCredentials() {
        JdbcUrl jdbc = JdbcUrl.parse("postgresql://user:p%40ss@host:5433/db?sslmode=require");

        assertThat(jdbc).isEqualTo(new JdbcUrl("jdbc:postgresql://host:5433/db?sslmode=require", "user", "p@ss"));
    }

    @Test
    void aPlusInThePasswordIsAPlus() {
        // why: user info is percent-encoded, not form-encoded; '+' means itself there
        JdbcUrl jdbc = JdbcUrl.parse("postgresql://herald:a+b%2Bc%3Ad@db/herald");

        assertThat(jdbc.password()).isEqualTo("a+b+c:d");
        assertThat(jdbc.user()).isEqualTo("herald");
    }

    @Test
    void aUrlWithoutCredentialsOrPortKeepsTheRest() {
        assertThat(JdbcUrl.parse("postgresql://db.internal/herald"))
                .isEqualTo(new JdbcUrl("jdbc:postgresql://db.internal/herald", null, null));
        assertThat(JdbcUrl.parse("postgres://only-user@db/herald"))
                .isEqualTo(new JdbcUrl("jdbc:postgresql://db/herald", "only-user", null));
    }

    @Test
    void aJdbcUrlIsPassedThroughWithItsOwnCredentials() {
        String url = "jdbc:postgresql://db:5432/herald?user=herald&password=s3cret";

        assertThat(JdbcUrl.parse(url)).isEqualTo(new JdbcUrl(url, null, null));
    }

    @Test
    void anUnparsableUrlNamesTheSetting() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgresql://db host/herald"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_DATABASE_URL");
    }
}
