package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
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

    @Test
    void describesTheDatabaseWithoutItsCredentials() {
        assertThat(JdbcUrl.parse("postgresql://herald:pw-secret@db.internal:6543/herald?sslmode=require").describe())
                .isEqualTo("PostgreSQL at db.internal:6543, database herald");
        assertThat(JdbcUrl.parse("postgres://db/herald").describe()).isEqualTo("PostgreSQL at db:5432, database herald");
        assertThat(JdbcUrl.parse("jdbc:postgresql://a:5432,b/orders?user=u&password=pw-secret").describe())
                .isEqualTo("PostgreSQL at a:5432,b:5432, database orders");
        assertThat(JdbcUrl.parse("jdbc:postgresql://[::1]/herald").describe()).isEqualTo("PostgreSQL at [::1]:5432, database herald");
        assertThat(JdbcUrl.parse("jdbc:postgresql:herald").describe()).isEqualTo("PostgreSQL at localhost:5432, database herald");
    }
}
