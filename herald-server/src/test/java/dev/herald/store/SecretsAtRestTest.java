package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.tenant.Tenant;
import dev.herald.testing.Databases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store's side of secrets at rest, on both databases: what the rows hold, what callers see, re-encryption. */
class SecretsAtRestTest {
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    private static final byte[] KEY_A = SecretBoxTest.newKey();
    private static final byte[] KEY_B = SecretBoxTest.newKey();
    private static final String A = SecretBox.keyId(KEY_A);
    private static final String B = SecretBox.keyId(KEY_B);

    @TempDir
    Path dir;
    private Database db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    private Database open(String database) {
        db = database.equals("sqlite") ? Database.sqlite(dir.resolve("herald.db"), new SimpleMeterRegistry())
                : Database.postgres(Databases.freshPostgres(), new SimpleMeterRegistry());
        new TenantStore(db).create(new Tenant("acme", "Acme", NOW));
        return db;
    }

    private static Endpoint endpoint(String id, boolean tls) {
        EndpointSpec spec = new EndpointSpec("https://partner.example/hooks", "", List.of(), Format.BATCH, Batching.defaults(),
                RetryPolicy.polynomialDefault(), Map.of(), tls ? new TlsSettings("CERT PEM", "KEY PEM of " + id, null) : null,
                Duration.ofSeconds(10), 8, null, EndpointSpec.Ordering.NONE, Status.ACTIVE);
        return new Endpoint(id, "acme", spec, "whsec_secret_of_" + id, null, null, null, NOW, NOW);
    }

    /** The three secret columns of a row, as stored. */
    private List<String> stored(String id) {
        return db.read(c -> Sql.one(c, "SELECT secret, previous_secret, tls_client_key FROM endpoints WHERE id = ?",
                (ResultSet rs) -> {
                    List<String> out = new ArrayList<>();
                    for (int i = 1; i <= 3; i++) {
                        out.add(rs.getString(i));
                    }
                    return out;
                }, id).orElseThrow());
    }

    private void set(String column, String id, String value) {
        db.inTransaction(c -> Sql.update(c, "UPDATE endpoints SET " + column + " = ? WHERE id = ?", value, id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void secretsAreSealedInTheRowsAndPlainToCallersThroughCreateUpdateAndRotate(String database) {
        open(database);
        EndpointStore endpoints = new EndpointStore(db, SecretBox.of(KEY_A, List.of()));
        Endpoint e = endpoint("ep-1", true);

        endpoints.create(e);
        assertThat(stored("ep-1")).satisfiesExactly(
                s -> assertThat(s).startsWith("enc:v1:" + A + ":").doesNotContain("secret_of"),
                s -> assertThat(s).isNull(),
                s -> assertThat(s).startsWith("enc:v1:" + A + ":").doesNotContain("KEY PEM"));
        assertThat(endpoints.get("acme", "ep-1")).contains(e);

        EndpointSpec changed = SecretsAtRestTest.endpoint("x", true).spec();
        endpoints.update("acme", "ep-1", changed, NOW);
        assertThat(stored("ep-1").get(2)).startsWith("enc:v1:" + A + ":").doesNotContain("KEY PEM");
        assertThat(endpoints.get("acme", "ep-1").orElseThrow().spec().tls().clientKey()).isEqualTo("KEY PEM of x");

        Endpoint rotated = endpoints.rotateSecret("acme", "ep-1", "whsec_new", NOW, NOW.plusSeconds(60)).orElseThrow();
        assertThat(rotated.secret()).isEqualTo("whsec_new");
        assertThat(rotated.previousSecret()).isEqualTo("whsec_secret_of_ep-1");
        assertThat(stored("ep-1").subList(0, 2)).allSatisfy(s -> assertThat(s).startsWith("enc:v1:" + A + ":")
                .doesNotContain("whsec"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aSealedValueCopiedToAnotherRowIsRefusedAndLeftOutOfTheDispatcherWhileOthersAreServed(String database) {
        open(database);
        SecretBox box = SecretBox.of(KEY_A, List.of());
        EndpointStore endpoints = new EndpointStore(db, box);
        endpoints.create(endpoint("ep-1", false));
        endpoints.create(endpoint("ep-2", false));
        for (String id : List.of("ep-1", "ep-2")) {
            db.inTransaction(c -> Sql.update(c, "INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type,"
                    + " event_count, body, attempt_count, next_attempt_at, created_at) VALUES (?, 'acme', ?, 'pending', 'batch',"
                    + " 1, ?, 0, ?, ?)", "d-" + id, id, "{}".getBytes(), NOW.toEpochMilli(), NOW.toEpochMilli()));
        }
        assertThat(endpoints.get("acme", "ep-2")).isPresent();

        set("secret", "ep-2", stored("ep-1").getFirst());

        assertThatThrownBy(() -> endpoints.get("acme", "ep-2"))
                .isInstanceOf(SecretBox.UnreadableSecretException.class)
                .hasMessageContaining("the secret of endpoint ep-2 does not decrypt under key id " + A);
        assertThat(new DispatchStore(db, box, null).due(NOW)).extracting(d -> d.endpoint().id()).containsExactly("ep-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void reencryptionRewritesOldKeyAndPlainTextRowsUnderTheCurrentKeyInBatches(String database) {
        open(database);
        EndpointStore underA = new EndpointStore(db, SecretBox.of(KEY_A, List.of()));
        EndpointStore plain = new EndpointStore(db, SecretBox.plaintext());
        List<Endpoint> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Endpoint e = endpoint("ep-" + i, i % 2 == 1);
            (i <= 3 ? underA : plain).create(e);
            all.add(e);
        }
        underA.rotateSecret("acme", "ep-1", "whsec_rotated", NOW, NOW.plusSeconds(60));
        all.set(0, underA.get("acme", "ep-1").orElseThrow());
        assertThat(stored("ep-5")).containsExactly("whsec_secret_of_ep-5", null, "KEY PEM of ep-5");
        assertThat(underA.sealedKeyIds()).isEqualTo(Map.of(A, 6L));

        EndpointStore rotating = new EndpointStore(db, SecretBox.of(KEY_B, List.of(KEY_A)));
        rotating.checkReadable();
        assertThat(rotating.countNotUnderCurrentKey()).isEqualTo(5);
        assertThat(rotating.list("acme", null, 10).items()).as("readable while rotating").isEqualTo(all);
        EndpointStore.Reencrypted first = rotating.reencrypt("", 2);
        assertThat(first).isEqualTo(new EndpointStore.Reencrypted(2, List.of(), "ep-2", false));
        EndpointStore.Reencrypted second = rotating.reencrypt(first.lastId(), 2);
        EndpointStore.Reencrypted last = rotating.reencrypt(second.lastId(), 2);
        assertThat(last).isEqualTo(new EndpointStore.Reencrypted(1, List.of(), "ep-5", true));

        assertThat(rotating.countNotUnderCurrentKey()).isZero();
        assertThat(rotating.sealedKeyIds()).isEqualTo(Map.of(B, 9L));
        for (int i = 1; i <= 5; i++) {
            assertThat(stored("ep-" + i)).allSatisfy(s -> assertThat(s == null || s.startsWith("enc:v1:" + B + ":")).isTrue());
        }
        EndpointStore onlyB = new EndpointStore(db, SecretBox.of(KEY_B, List.of()));
        onlyB.checkReadable();
        assertThat(onlyB.list("acme", null, 10).items()).isEqualTo(all);
        assertThat(rotating.reencrypt("", 2)).as("nothing left").isEqualTo(new EndpointStore.Reencrypted(0, List.of(), "", true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRowUnderAKeyThisHeraldLacksIsFoundAtStartAndSkippedByTheReencryption(String database) {
        open(database);
        new EndpointStore(db, SecretBox.of(KEY_A, List.of())).create(endpoint("ep-1", true));
        new EndpointStore(db, SecretBox.of(KEY_B, List.of())).create(endpoint("ep-2", false));

        assertThatThrownBy(() -> new EndpointStore(db, SecretBox.of(KEY_B, List.of())).checkReadable())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("2 endpoint secret(s) encrypted under key id " + A)
                .hasMessageContaining("add it to HERALD_ENCRYPTION_OLD_KEYS_FILE");
        assertThatThrownBy(() -> new EndpointStore(db, SecretBox.plaintext()).checkReadable())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_ENCRYPTION_KEY_FILE is not set");

        EndpointStore.Reencrypted pass = new EndpointStore(db, SecretBox.of(KEY_B, List.of())).reencrypt("", 10);
        assertThat(pass.rewritten()).isZero();
        assertThat(pass.unreadable()).singleElement().asString().contains("endpoint ep-1").contains(A);
        assertThat(stored("ep-1").getFirst()).startsWith("enc:v1:" + A + ":");
    }
}
