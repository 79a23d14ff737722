package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.batching.DeliveryBodies;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.signing.Signing;
import dev.herald.store.DeliveryStore.RetryOutcome;
import dev.herald.tenant.Tenant;
import dev.herald.testing.SettableClock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole store suite, run against every database Herald supports (as db-scheduler's
 * {@code CompatibilityTest}): a subclass only says how to open its database. Rows the delivery engine
 * will write (deliveries, attempts) are inserted here with plain SQL, straight from the schema.
 */
abstract class StoreContractTest {
    private final SettableClock clock = new SettableClock();

    Database db;
    TenantStore tenants;
    CredentialStore credentials;
    EventTypeStore eventTypes;
    EndpointStore endpoints;
    EventStore events;
    DeliveryStore deliveries;

    /**
     * Opens this test's database, migrated. Every call within one test opens the same database; each test
     * gets its own, empty one.
     */
    protected abstract Database open();

    @BeforeEach
    void openStores() {
        db = open();
        tenants = new TenantStore(db);
        credentials = new CredentialStore(db);
        eventTypes = new EventTypeStore(db);
        endpoints = new EndpointStore(db, SecretBox.plaintext());
        events = new EventStore(db, DeliveryBodies::event);
        deliveries = new DeliveryStore(db);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    @Test
    void createsAndReadsATenant() {
        Tenant acme = new Tenant("acme", "Acme Corp", clock.instant());

        assertThat(tenants.create(acme)).isTrue();

        assertThat(tenants.get("acme")).contains(acme);
        assertThat(tenants.get("nobody")).isEmpty();
    }

    @Test
    void aTakenIdIsRefusedAndTheFirstTenantKept() {
        tenants.create(new Tenant("acme", "Acme Corp", clock.instant()));

        assertThat(tenants.create(new Tenant("acme", "Impostor", clock.instant().plusSeconds(5)))).isFalse();

        assertThat(tenants.get("acme")).get().extracting(Tenant::name).isEqualTo("Acme Corp");
    }

    @Test
    void listsByIdAPageAtATime() {
        for (String id : List.of("t-c", "t-a", "t-e", "t-b", "t-d")) {
            tenants.create(new Tenant(id, "Tenant " + id, clock.instant()));
        }

        Page<Tenant> first = tenants.list(null, 2);
        assertThat(first.items()).extracting(Tenant::id).containsExactly("t-a", "t-b");
        assertThat(first.nextKey()).isEqualTo("t-b");

        Page<Tenant> second = tenants.list(first.nextKey(), 2);
        assertThat(second.items()).extracting(Tenant::id).containsExactly("t-c", "t-d");
        assertThat(second.nextKey()).isEqualTo("t-d");

        Page<Tenant> last = tenants.list(second.nextKey(), 2);
        assertThat(last.items()).extracting(Tenant::id).containsExactly("t-e");
        assertThat(last.nextKey()).isNull();
    }

    @Test
    void aPageThatHoldsExactlyTheRestHasNoNextKey() {
        for (String id : List.of("t-a", "t-b", "t-c")) {
            tenants.create(new Tenant(id, id, clock.instant()));
        }

        Page<Tenant> all = tenants.list(null, 3);

        assertThat(all.items()).hasSize(3);
        assertThat(all.nextKey()).isNull();
    }

    @Test
    void findsTheTenantOfAKeyByItsHashUntilTheKeyIsRevoked() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));

        credentials.addKey("key-a", "acme", "hash-of-acme-key", "hk_acme", clock.instant());
        credentials.addKey("key-g", "globex", "hash-of-globex-key", "hk_glob", clock.instant());

        assertThat(tenantOfKey("hash-of-acme-key")).contains("acme");
        assertThat(tenantOfKey("hash-of-globex-key")).contains("globex");
        assertThat(tenantOfKey("hash-of-no-key")).isEmpty();
        assertThat(credentials.keys("acme")).extracting(CredentialStore.Key::id).containsExactly("key-a");

        assertThat(credentials.revokeKey("globex", "key-a", clock.instant())).as("another tenant's key").isFalse();
        assertThat(credentials.revokeKey("acme", "key-a", clock.instant())).isTrue();

        assertThat(tenantOfKey("hash-of-acme-key")).isEmpty();
        assertThat(credentials.keys("acme")).isEmpty();
        assertThat(credentials.revokeKey("acme", "key-a", clock.instant())).as("revoked already").isFalse();
        clock.tick(Duration.ofDays(2));
        assertThat(credentials.purge(clock.instant().minus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM tenant_keys")).isEqualTo(1);
    }

    @Test
    void aKeysLastUseIsRecorded() {
        tenantsExist();
        credentials.addKey("key-a", "acme", "hash-a", "hk_acme", clock.instant());
        clock.tick(Duration.ofMinutes(5));

        credentials.keyUsed("key-a", clock.instant());

        assertThat(credentials.keys("acme")).singleElement().extracting(CredentialStore.Key::lastUsedAt).isEqualTo(clock.instant());
    }

    @Test
    void aPortalSessionIsFoundUntilItExpiresOrIsRevoked() {
        tenantsExist();
        Instant now = clock.instant();
        credentials.addSession(new CredentialStore.Session("ps-1", "acme", true, now, now.plusSeconds(3600)), "hash-1");
        credentials.addSession(new CredentialStore.Session("ps-2", "acme", false, now, now.plusSeconds(600)), "hash-2");

        assertThat(credentials.sessionByHash("hash-1", now)).get().satisfies(s -> {
            assertThat(s.tenantId()).isEqualTo("acme");
            assertThat(s.readOnly()).isTrue();
        });
        assertThat(credentials.sessions("acme", now)).extracting(CredentialStore.Session::id).containsExactly("ps-2", "ps-1");
        assertThat(credentials.sessions("globex", now)).isEmpty();

        assertThat(credentials.sessionByHash("hash-2", now.plusSeconds(600))).as("expired").isEmpty();
        assertThat(credentials.revokeSession("globex", "ps-1", now)).isFalse();
        assertThat(credentials.revokeSession("acme", "ps-1", now)).isTrue();
        assertThat(credentials.sessionByHash("hash-1", now)).as("revoked").isEmpty();
        assertThat(credentials.sessions("acme", now)).extracting(CredentialStore.Session::id).containsExactly("ps-2");
        assertThat(credentials.purge(now.plusSeconds(601))).isEqualTo(2);
    }

    @Test
    void aKeyForAnUnknownTenantIsRefused() {
        assertThatThrownBy(() -> credentials.addKey("k", "nobody", "hash", "hk_", clock.instant()))
                .isInstanceOf(StoreException.class);
    }

    private Optional<String> tenantOfKey(String hash) {
        return credentials.keyByHash(hash).map(CredentialStore.Key::tenantId);
    }

    @Test
    void deletingATenantDeletesEverythingItOwnsAndNothingElse() {
        for (String t : List.of("acme", "globex")) {
            tenants.create(new Tenant(t, t, clock.instant()));
            credentials.addKey("key-" + t, t, "hash-" + t, "hk_", clock.instant());
            endpoints.create(endpoint("ep-" + t, t, spec(List.of())));
            events.publish(t, List.of(new NewEvent("ev-" + t, "order.created", "{}")), clock.instant());
            insertDelivery("dl-" + t, t, "ep-" + t, "failed", 1, 0);
            insertDeliveryEvent("dl-" + t, 0, "ev-" + t);
            insertAttempt("dl-" + t, 1, 500, null);
        }

        assertThat(tenants.delete("acme", clock.instant())).isTrue();

        // at once: gone for the API, its keys refused, its endpoints receive nothing and send nothing
        assertThat(tenants.get("acme")).isEmpty();
        assertThat(tenants.list(null, 10).items()).extracting(Tenant::id).containsExactly("globex");
        assertThat(tenantOfKey("hash-acme")).isEmpty();
        assertThat(tenants.deleting("acme")).isTrue();
        assertThat(tenants.create(new Tenant("acme", "Again", clock.instant()))).isFalse();
        assertThat(endpoints.get("acme", "ep-acme")).isEmpty();
        assertThat(new DispatchStore(db, SecretBox.plaintext(), events).due(clock.instant().plusSeconds(60))).extracting(d -> d.endpoint().id())
                .doesNotContain("ep-acme");
        events.publish("acme", List.of(new NewEvent("late", "order.created", "{}")), clock.instant());
        assertThat(count("SELECT COUNT(*) FROM queue WHERE endpoint_id = 'ep-acme'")).isEqualTo(1);

        // then purged in small transactions, until nothing is left
        DeletionStore deletion = new DeletionStore(db);
        int chunks = 0;
        while (deletion.purgeChunk() > 0) {
            chunks++;
        }
        assertThat(chunks).isGreaterThan(1);
        assertThat(tenants.deleting("acme")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM tenants WHERE id = 'acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM tenant_keys")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE tenant_id = 'acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM events WHERE tenant_id = 'acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM queue WHERE endpoint_id = 'ep-acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE tenant_id = 'acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM delivery_events WHERE delivery_id = 'dl-acme'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = 'dl-acme'")).isZero();

        // why: the other tenant's rows must survive the cascade untouched
        assertThat(tenantOfKey("hash-globex")).contains("globex");
        assertThat(count("SELECT COUNT(*) FROM endpoints")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM queue")).isEqualTo(1);
        assertThat(deliveries.get("globex", "dl-globex")).get().satisfies(d -> {
            assertThat(d.eventIds()).containsExactly("ev-globex");
            assertThat(d.attempts()).hasSize(1);
        });
    }

    @Test
    void deletingAnUnknownTenantReportsIt() {
        assertThat(tenants.delete("nobody", clock.instant())).isFalse();
    }

    @Test
    void createsAndListsTypesByName() {
        EventType created = new EventType("order.created", "An order was placed", clock.instant());
        EventType paid = new EventType("order.paid", "An order was paid", clock.instant());
        EventType audit = new EventType("audit.entry", "", clock.instant());

        assertThat(eventTypes.create(created)).isTrue();
        assertThat(eventTypes.create(paid)).isTrue();
        assertThat(eventTypes.create(audit)).isTrue();

        Page<EventType> first = eventTypes.list(null, 2);
        assertThat(first.items()).containsExactly(audit, created);
        assertThat(first.nextKey()).isEqualTo("order.created");
        Page<EventType> rest = eventTypes.list(first.nextKey(), 2);
        assertThat(rest.items()).containsExactly(paid);
        assertThat(rest.nextKey()).isNull();
    }

    @Test
    void aTakenNameIsRefusedAndTheFirstDescriptionKept() {
        eventTypes.create(new EventType("order.created", "first", clock.instant()));

        assertThat(eventTypes.create(new EventType("order.created", "second", clock.instant()))).isFalse();

        assertThat(eventTypes.list(null, 10).items()).extracting(EventType::description).containsExactly("first");
    }

    @Test
    void aTypeKeepsItsSchemaAndExampleAndIsReadByName() {
        EventType paid = new EventType("order.paid", "An order was paid", "{\"type\":\"object\"}", "{\"amount\":1}",
                clock.instant(), clock.instant().plusSeconds(1));

        assertThat(eventTypes.create(paid)).isTrue();

        assertThat(eventTypes.get("order.paid")).contains(paid);
        assertThat(eventTypes.get("order.unknown")).isEmpty();
        assertThat(eventTypes.list(null, 10).items()).containsExactly(paid);
    }

    @Test
    void anUpdateReplacesTheTypeAndARefusedOneChangesNothing() {
        eventTypes.create(new EventType("order.paid", "first", clock.instant()));
        Instant later = clock.instant().plusSeconds(60);

        Optional<EventType> updated = eventTypes.update("order.paid",
                t -> new EventType(t.name(), "second", "{}", null, t.createdAt(), later));
        assertThatThrownBy(() -> eventTypes.update("order.paid", t -> {
            throw new IllegalStateException("refused");
        })).hasMessage("refused");

        EventType expected = new EventType("order.paid", "second", "{}", null, clock.instant(), later);
        assertThat(updated).contains(expected);
        assertThat(eventTypes.get("order.paid")).contains(expected);
        assertThat(eventTypes.update("order.unknown", t -> t)).isEmpty();
    }

    @Test
    void everyChangeRaisesTheCatalogueVersionAndALoadReadsItAll() {
        long start = eventTypes.version();
        eventTypes.create(new EventType("order.created", "", clock.instant()));
        long created = eventTypes.version();
        eventTypes.create(new EventType("order.created", "taken", clock.instant()));
        long refused = eventTypes.version();
        eventTypes.update("order.created", t -> t);
        long updated = eventTypes.version();
        eventTypes.create(new EventType("audit.entry", "", clock.instant()));
        eventTypes.delete("audit.entry");
        long deleted = eventTypes.version();

        assertThat(created).isGreaterThan(start);
        assertThat(refused).as("a refused create changes nothing").isEqualTo(created);
        assertThat(updated).isGreaterThan(created);
        assertThat(deleted).isGreaterThan(updated + 1);
        var snapshot = eventTypes.load();
        assertThat(snapshot.version()).isEqualTo(deleted);
        assertThat(snapshot.types()).extracting(EventType::name).containsExactly("order.created");
    }

    @Test
    void aTypeSubscribedToByNameIsNotDeletedAndTheEndpointsAreCounted() {
        tenantsExist();
        for (String t : List.of("order.paid", "a_b", "Order.Shipped")) {
            eventTypes.create(new EventType(t, "", clock.instant()));
        }
        endpoints.create(endpoint("ep-1", "acme", spec(List.of("order.created", "order.paid"))));
        endpoints.create(endpoint("ep-2", "globex", spec(List.of("order.paid"))));
        endpoints.create(endpoint("ep-3", "acme", spec(List.of("order.paid"))));
        endpoints.delete("acme", "ep-3", clock.instant());
        // neither a wildcard, nor a name LIKE alone would confuse with the type's, holds a type
        endpoints.create(endpoint("ep-4", "acme", spec(List.of("order.*", "*", "axb", "order.shipped"))));

        assertThat(eventTypes.delete("order.paid")).isEqualTo(new EventTypeStore.Deletion(true, 2));
        assertThat(eventTypes.get("order.paid")).isPresent();
        assertThat(eventTypes.delete("a_b").deleted()).isTrue();
        assertThat(eventTypes.delete("Order.Shipped").deleted()).isTrue();
        assertThat(eventTypes.delete("order.unknown")).isEqualTo(new EventTypeStore.Deletion(false, 0));

        endpoints.update("acme", "ep-1", spec(List.of("order.*")), clock.instant());
        endpoints.delete("globex", "ep-2", clock.instant());
        assertThat(eventTypes.delete("order.paid").deleted()).isTrue();
        assertThat(eventTypes.get("order.paid")).isEmpty();
    }

    void tenantsExist() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));
    }

    @Test
    void anEventEndpointRoundTripsEveryField() {
        tenantsExist();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Zulu", "last in the alphabet, first here");
        headers.put("X-Partner-Account", "42");
        headers.put("X-Alpha", "a \"quoted\" value");
        EndpointSpec spec = new EndpointSpec("https://partner.example/hooks?x=1", "Orders for the ERP",
                List.of("order.paid", "order.created"), Format.EVENT, null,
                new RetryPolicy(RetryPolicy.Kind.EXPONENTIAL, 5, null, Duration.ofSeconds(30), RetryPolicy.RetryOn.SERVER_ERRORS),
                headers, new TlsSettings("CERT PEM", "KEY PEM", "CA PEM"), Duration.ofMillis(2_500), 7, 250, EndpointSpec.Ordering.KEY, Status.PAUSED);
        Endpoint e = new Endpoint("ep-1", "acme", spec, "whsec_current", "whsec_old", clock.instant().plusSeconds(60),
                "410 Gone", clock.instant(), clock.instant().plusSeconds(1));

        endpoints.create(e);

        Endpoint read = endpoints.get("acme", "ep-1").orElseThrow();
        assertThat(read).isEqualTo(e);
        assertThat(read.spec().batch()).isNull();
        assertThat(List.copyOf(read.spec().headers().keySet())).containsExactly("X-Zulu", "X-Partner-Account", "X-Alpha");
        assertThat(read.spec().eventTypes()).containsExactly("order.paid", "order.created");
    }

    @Test
    void aBatchEndpointRoundTripsEveryField() {
        tenantsExist();
        EndpointSpec spec = new EndpointSpec("https://partner.example/batches", "", List.of(), Format.BATCH,
                new Batching(250, Duration.ofMillis(5_000)),
                new RetryPolicy(RetryPolicy.Kind.POLYNOMIAL, 12, Duration.ofDays(10), null, RetryPolicy.RetryOn.NON_2XX),
                Map.of(), null, Duration.ofSeconds(10), 1, null, EndpointSpec.Ordering.NONE, Status.ACTIVE);
        Endpoint e = new Endpoint("ep-2", "acme", spec, "whsec_s", null, null, null, clock.instant(), clock.instant());

        endpoints.create(e);

        Endpoint read = endpoints.get("acme", "ep-2").orElseThrow();
        assertThat(read).isEqualTo(e);
        assertThat(read.spec().tls()).isNull();
        assertThat(read.spec().retry().initialDelay()).isNull();
    }

    @Test
    void onlyTheCaCertificatesOfTlsRoundTrip() {
        tenantsExist();
        EndpointSpec spec = withTls(spec(List.of()), new TlsSettings(null, null, "CA PEM"));
        endpoints.create(endpoint("ep-ca", "acme", spec));

        assertThat(endpoints.get("acme", "ep-ca").orElseThrow().spec().tls()).isEqualTo(new TlsSettings(null, null, "CA PEM"));
    }

    @Test
    void listsATenantsEndpointsByIdAPageAtATime() {
        tenantsExist();
        for (String id : List.of("ep-3", "ep-1", "ep-2")) {
            endpoints.create(endpoint(id, "acme", spec(List.of())));
        }
        endpoints.create(endpoint("ep-0", "globex", spec(List.of())));

        Page<Endpoint> first = endpoints.list("acme", null, 2);
        assertThat(first.items()).extracting(Endpoint::id).containsExactly("ep-1", "ep-2");
        assertThat(first.nextKey()).isEqualTo("ep-2");
        Page<Endpoint> rest = endpoints.list("acme", first.nextKey(), 2);
        assertThat(rest.items()).extracting(Endpoint::id).containsExactly("ep-3");
        assertThat(rest.nextKey()).isNull();
        assertThat(endpoints.list("globex", null, 10).items()).extracting(Endpoint::id).containsExactly("ep-0");
    }

    @Test
    void updateReplacesTheSettingsAndKeepsSecretAndCreationTime() {
        tenantsExist();
        Endpoint e = endpoint("ep-1", "acme", spec(List.of("order.created")));
        endpoints.create(e);
        clock.tick(Duration.ofMinutes(5));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-B", "2");
        headers.put("X-A", "1");
        EndpointSpec changed = new EndpointSpec("https://other.example/in", "changed", List.of("order.paid"), Format.EVENT,
                null, RetryPolicy.exponentialDefault(), headers, new TlsSettings("C", "K", null), Duration.ofSeconds(3), 4, null, EndpointSpec.Ordering.NONE,
                Status.ACTIVE);

        Optional<Endpoint> updated = endpoints.update("acme", "ep-1", changed, clock.instant());

        assertThat(updated).isPresent();
        assertThat(updated.get().spec()).isEqualTo(changed);
        assertThat(List.copyOf(updated.get().spec().headers().keySet())).containsExactly("X-B", "X-A");
        assertThat(updated.get().secret()).isEqualTo(e.secret());
        assertThat(updated.get().createdAt()).isEqualTo(e.createdAt());
        assertThat(updated.get().updatedAt()).isEqualTo(clock.instant());
        assertThat(endpoints.get("acme", "ep-1")).isEqualTo(updated);
    }

    @Test
    void resumingAPausedEndpointClearsItsPauseReason() {
        tenantsExist();
        endpoints.create(endpoint("ep-1", "acme", spec(List.of()).withStatus(Status.PAUSED)));
        sql("UPDATE endpoints SET paused_reason = ? WHERE id = ?", "410 Gone from https://partner.example", "ep-1");
        assertThat(endpoints.get("acme", "ep-1").orElseThrow().pausedReason()).isEqualTo("410 Gone from https://partner.example");

        Endpoint resumed = endpoints.update("acme", "ep-1", spec(List.of()).withStatus(Status.ACTIVE), clock.instant()).orElseThrow();

        assertThat(resumed.spec().status()).isEqualTo(Status.ACTIVE);
        assertThat(resumed.pausedReason()).isNull();
    }

    @Test
    void anUpdateThatKeepsAnEndpointPausedKeepsItsPauseReason() {
        tenantsExist();
        endpoints.create(endpoint("ep-1", "acme", spec(List.of()).withStatus(Status.PAUSED)));
        sql("UPDATE endpoints SET paused_reason = ? WHERE id = ?", "410 Gone", "ep-1");

        Endpoint still = endpoints.update("acme", "ep-1", spec(List.of("order.paid")).withStatus(Status.PAUSED), clock.instant())
                .orElseThrow();

        assertThat(still.pausedReason()).isEqualTo("410 Gone");
    }

    @Test
    void deletesAnEndpoint() {
        tenantsExist();
        endpoints.create(endpoint("ep-1", "acme", spec(List.of())));

        events.publish("acme", List.of(new NewEvent("ev-1", "order.created", "{}")), clock.instant());

        assertThat(endpoints.delete("acme", "ep-1", clock.instant())).isTrue();

        assertThat(endpoints.get("acme", "ep-1")).isEmpty();
        assertThat(endpoints.list("acme", null, 10).items()).isEmpty();
        assertThat(endpoints.delete("acme", "ep-1", clock.instant())).isFalse();
        events.publish("acme", List.of(new NewEvent("ev-2", "order.created", "{}")), clock.instant());
        assertThat(count("SELECT COUNT(*) FROM queue WHERE endpoint_id = 'ep-1'")).as("a deleted endpoint queues nothing new")
                .isEqualTo(1);

        while (new DeletionStore(db).purgeChunk() > 0) {
            // one small transaction at a time
        }
        assertThat(count("SELECT COUNT(*) FROM endpoints")).isZero();
        assertThat(count("SELECT COUNT(*) FROM queue")).isZero();
        assertThat(count("SELECT COUNT(*) FROM events")).as("events stay; retention purges them").isEqualTo(2);
    }

    @Test
    void rotatingTheSecretKeepsThePreviousOneSigningUntilTheOverlapEnds() {
        tenantsExist();
        Endpoint e = endpoint("ep-1", "acme", spec(List.of()));
        endpoints.create(e);
        clock.tick(Duration.ofHours(1));
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofHours(24));

        Endpoint rotated = endpoints.rotateSecret("acme", "ep-1", "whsec_new", now, until).orElseThrow();

        assertThat(rotated.secret()).isEqualTo("whsec_new");
        assertThat(rotated.previousSecret()).isEqualTo(e.secret());
        assertThat(rotated.previousSecretExpiresAt()).isEqualTo(until);
        assertThat(rotated.updatedAt()).isEqualTo(now);
        assertThat(endpoints.get("acme", "ep-1")).contains(rotated);
        assertThat(rotated.liveSecrets(now)).containsExactly("whsec_new", e.secret());
        assertThat(rotated.liveSecrets(until.minusMillis(1))).containsExactly("whsec_new", e.secret());
        assertThat(rotated.liveSecrets(until)).containsExactly("whsec_new");
    }

    @Test
    void switchingSchemeReplacesTheKeyWithTheSettingsOnceAndKeepsTheOldKeyForTheOverlap() {
        tenantsExist();
        Endpoint e = endpoint("ep-1", "acme", spec(List.of()));
        endpoints.create(e);
        clock.tick(Duration.ofHours(1));
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofHours(24));
        String privateKey = Signing.ED25519.newKey();
        EndpointSpec changed = spec(List.of("order.paid"));

        Endpoint switched = endpoints.update("acme", "ep-1", changed, privateKey, now, until).orElseThrow();

        assertThat(switched.spec()).isEqualTo(changed);
        assertThat(switched.signing()).isEqualTo(Signing.ED25519);
        assertThat(switched.secret()).isEqualTo(privateKey);
        assertThat(switched.previousSecret()).isEqualTo(e.secret());
        assertThat(switched.previousSecretExpiresAt()).isEqualTo(until);
        assertThat(switched.liveSecrets(now)).containsExactly(privateKey, e.secret());
        assertThat(endpoints.get("acme", "ep-1")).contains(switched);

        // a second switch to the same scheme (two requests at once) changes no key, so the HMAC secret keeps its day
        Endpoint again = endpoints.update("acme", "ep-1", changed, Signing.ED25519.newKey(), now.plusSeconds(1),
                until.plusSeconds(1)).orElseThrow();
        assertThat(again.secret()).isEqualTo(privateKey);
        assertThat(again.previousSecret()).isEqualTo(e.secret());
        assertThat(again.previousSecretExpiresAt()).isEqualTo(until);
        // settings alone change no key either
        assertThat(endpoints.update("acme", "ep-1", spec(List.of()), now.plusSeconds(2)).orElseThrow().secret()).isEqualTo(privateKey);
        assertThat(endpoints.update("globex", "ep-1", changed, Signing.HMAC_SHA256.newKey(), now, until)).isEmpty();
        assertThat(endpoints.get("acme", "ep-1").orElseThrow().secret()).isEqualTo(privateKey);
    }

    @Test
    void anEndpointIsInvisibleToAnotherTenant() {
        tenantsExist();
        Endpoint e = endpoint("ep-1", "acme", spec(List.of()));
        endpoints.create(e);

        assertThat(endpoints.get("globex", "ep-1")).isEmpty();
        assertThat(endpoints.list("globex", null, 10).items()).isEmpty();
        assertThat(endpoints.update("globex", "ep-1", spec(List.of("order.paid")).withStatus(Status.PAUSED), clock.instant()))
                .isEmpty();
        assertThat(endpoints.rotateSecret("globex", "ep-1", "whsec_stolen", clock.instant(), clock.instant())).isEmpty();
        assertThat(endpoints.delete("globex", "ep-1", clock.instant())).isFalse();

        assertThat(endpoints.get("acme", "ep-1")).contains(e);
    }

    @Test
    void anEndpointForAnUnknownTenantIsRefused() {
        tenantsExist();
        assertThatThrownBy(() -> endpoints.create(endpoint("ep-1", "nobody", spec(List.of()))))
                .isInstanceOf(StoreException.class);
    }

    void subscribers() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));
        endpoints.create(endpoint("ep-all", "acme", spec(List.of())));
        endpoints.create(endpoint("ep-created", "acme", spec(List.of("order.created"))));
        endpoints.create(endpoint("ep-paid", "acme", spec(List.of("order.paid", "order.refunded"))));
        endpoints.create(endpoint("ep-globex", "globex", spec(List.of())));
    }

    @Test
    void queuesAnEventForEachSubscribedEndpointOfItsTenant() {
        subscribers();
        List<Published> out = events.publish("acme",
                List.of(new NewEvent("ev-1", "order.created", "{\"n\":1}"), new NewEvent("ev-2", "order.refunded", "{}"),
                        new NewEvent("ev-3", "audit.entry", "[]")),
                clock.instant());

        assertThat(out).containsExactly(new Published("ev-1", clock.instant(), false),
                new Published("ev-2", clock.instant(), false), new Published("ev-3", clock.instant(), false));
        assertThat(queuedFor("ev-1")).containsExactly("ep-all", "ep-created");
        assertThat(queuedFor("ev-2")).containsExactly("ep-all", "ep-paid");
        assertThat(queuedFor("ev-3")).containsExactly("ep-all");
        assertThat(count("SELECT COUNT(*) FROM queue WHERE endpoint_id = 'ep-globex'")).isZero();
    }

    @Test
    void wildcardsSelectTypesByPrefixAndStarSelectsEvery() {
        tenantsExist();
        endpoints.create(endpoint("ep-prefix", "acme", spec(List.of("order.*"))));
        endpoints.create(endpoint("ep-star", "acme", spec(List.of("*"))));
        endpoints.create(endpoint("ep-exact", "acme", spec(List.of("order.paid"))));
        endpoints.create(endpoint("ep-mixed", "acme", spec(List.of("audit.*", "orders.x"))));
        endpoints.create(endpoint("ep-deep", "acme", spec(List.of("order.line.*"))));
        endpoints.create(endpoint("ep-event", "acme", perEvent(List.of("order.*"))));

        events.publish("acme", List.of(new NewEvent("ev-paid", "order.paid", "{}"), new NewEvent("ev-orders", "orders.x", "{}"),
                new NewEvent("ev-bare", "order", "{}"), new NewEvent("ev-line", "order.line.added", "{}"),
                new NewEvent("ev-audit", "audit.entry", "{}")), clock.instant());

        assertThat(queuedFor("ev-paid")).containsExactly("ep-exact", "ep-prefix", "ep-star");
        assertThat(queuedFor("ev-orders")).as("orders.x is not under order.*").containsExactly("ep-mixed", "ep-star");
        assertThat(queuedFor("ev-bare")).as("order.* needs the dot").containsExactly("ep-star");
        assertThat(queuedFor("ev-line")).containsExactly("ep-deep", "ep-prefix", "ep-star");
        assertThat(queuedFor("ev-audit")).containsExactly("ep-mixed", "ep-star");
        assertThat(rows("SELECT d.event_type FROM deliveries d WHERE d.endpoint_id = ? ORDER BY d.event_type", "ep-event"))
                .as("a per-event endpoint's deliveries are sealed by the same rule")
                .containsExactly("order.line.added", "order.paid");
    }

    @Test
    void aPublishAnswersTheEndpointsWhosePerEventDeliveriesItSealed() {
        tenantsExist();
        endpoints.create(endpoint("ep-batch", "acme", spec(List.of("order.*"))));
        endpoints.create(endpoint("ep-event", "acme", perEvent(List.of("order.*"))));
        endpoints.create(endpoint("ep-other", "acme", perEvent(List.of("audit.*"))));

        List<EventStore.Stored> stored = events.publish(List.of(
                new EventStore.Publish("acme", List.of(new NewEvent("ev-1", "order.paid", "{}")), clock.instant()),
                new EventStore.Publish("acme", List.of(new NewEvent("ev-2", "invoice.sent", "{}")), clock.instant())));

        assertThat(stored).extracting(EventStore.Stored::sealedFor)
                .as("only per-event endpoints that take the type: a batch endpoint's events wait in its queue for the batcher")
                .containsExactly(java.util.Set.of("ep-event"), java.util.Set.of());
        assertThat(events.publish(List.of(new EventStore.Publish("acme", List.of(new NewEvent("ev-1", "order.paid", "{}")),
                clock.instant()))).getFirst().sealedFor()).as("a repeated id seals nothing").isEmpty();
    }

    @Test
    void storesTheEventAsGiven() {
        subscribers();
        events.publish("acme", List.of(new NewEvent("ev-1", "order.created", "{\"amount\": 12.5, \"note\": \"é\"}")),
                clock.instant());

        List<String> row = rows("SELECT tenant_id, type, data, created_at FROM events WHERE id = ?", "ev-1");
        assertThat(row).containsExactly("acme", "order.created", "{\"amount\": 12.5, \"note\": \"é\"}",
                Long.toString(clock.instant().toEpochMilli()));
    }

    @Test
    void aRepeatedIdIsANoOpAnsweredWithTheFirstEvent() {
        subscribers();
        Instant first = clock.instant();
        events.publish("acme", List.of(new NewEvent("ev-1", "order.created", "{\"v\":1}")), first);
        clock.tick(Duration.ofMinutes(3));

        List<Published> again = events.publish("acme", List.of(new NewEvent("ev-1", "order.paid", "{\"v\":2}")), clock.instant());

        assertThat(again).containsExactly(new Published("ev-1", first, true));
        assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(1);
        assertThat(rows("SELECT type, data FROM events WHERE id = ?", "ev-1")).containsExactly("order.created", "{\"v\":1}");
        assertThat(queuedFor("ev-1")).containsExactly("ep-all", "ep-created");
    }

    @Test
    void aDuplicateWithinOneListIsStoredOnce() {
        subscribers();
        List<Published> out = events.publish("acme",
                List.of(new NewEvent("ev-1", "order.created", "{}"), new NewEvent("ev-1", "order.created", "{}")),
                clock.instant());

        assertThat(out).containsExactly(new Published("ev-1", clock.instant(), false),
                new Published("ev-1", clock.instant(), true));
        assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM queue")).isEqualTo(2);
    }

    @Test
    void theSameIdInAnotherTenantIsAnotherEvent() {
        subscribers();
        events.publish("acme", List.of(new NewEvent("ev-1", "order.created", "{}")), clock.instant());

        List<Published> out = events.publish("globex", List.of(new NewEvent("ev-1", "order.created", "{}")), clock.instant());

        assertThat(out).extracting(Published::repeated).containsExactly(false);
        assertThat(count("SELECT COUNT(*) FROM queue WHERE endpoint_id = 'ep-globex'")).isEqualTo(1);
    }

    @Test
    void sequenceFollowsTheOrderOfTheList() {
        subscribers();
        events.publish("acme", List.of(new NewEvent("ev-c", "order.created", "{}"), new NewEvent("ev-a", "order.created", "{}"),
                new NewEvent("ev-b", "order.created", "{}")), clock.instant());
        events.publish("acme", List.of(new NewEvent("ev-0", "order.created", "{}")), clock.instant());

        assertThat(rows("SELECT id FROM events ORDER BY seq")).containsExactly("ev-c", "ev-a", "ev-b", "ev-0");
    }

    @Test
    void aFailureForAnUnknownTenantStoresNothing() {
        subscribers();
        assertThatThrownBy(() -> events.publish("nobody",
                List.of(new NewEvent("ev-1", "order.created", "{}"), new NewEvent("ev-2", "order.created", "{}")),
                clock.instant()))
                .isInstanceOf(StoreException.class);

        assertThat(count("SELECT COUNT(*) FROM events")).isZero();
    }

    @Test
    void aFailureMidListRollsBackTheEventsBeforeIt() {
        subscribers();
        // why: a NULL type breaks a NOT NULL constraint on the third insert, after two events and their queue rows
        List<NewEvent> batch = List.of(new NewEvent("ev-1", "order.created", "{}"), new NewEvent("ev-2", "order.paid", "{}"),
                new NewEvent("ev-3", null, "{}"));

        assertThatThrownBy(() -> events.publish("acme", batch, clock.instant())).isInstanceOf(StoreException.class);

        assertThat(count("SELECT COUNT(*) FROM events")).isZero();
        assertThat(count("SELECT COUNT(*) FROM queue")).isZero();
        // and the store is usable after the rollback
        assertThat(events.publish("acme", batch.subList(0, 2), clock.instant())).extracting(Published::repeated)
                .containsExactly(false, false);
    }

    private List<String> queuedFor(String eventId) {
        return rows("SELECT q.endpoint_id FROM queue q JOIN events e ON e.seq = q.event_seq WHERE e.id = ?"
                + " ORDER BY q.endpoint_id", eventId);
    }

    void deliveriesExist() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));
        endpoints.create(endpoint("ep-1", "acme", spec(List.of())));
        endpoints.create(endpoint("ep-2", "acme", spec(List.of())));
        endpoints.create(endpoint("ep-g", "globex", spec(List.of())));
        insertDelivery("dl-1", "acme", "ep-1", "delivered", 1, 1);
        insertDelivery("dl-2", "acme", "ep-2", "failed", 26, 2);
        insertDelivery("dl-3", "acme", "ep-1", "pending", 0, 3);
        insertDelivery("dl-4", "acme", "ep-1", "failed", 3, 4);
        insertDelivery("dl-5", "acme", "ep-2", "pending", 2, 5);
        insertDelivery("dl-9", "globex", "ep-g", "failed", 3, 9);
    }

    @Test
    void listsNewestFirstAPageAtATime() {
        deliveriesExist();
        Page<Delivery> first = deliveries.list("acme", DeliveryStore.Filter.NONE, null, 2);
        assertThat(first.items()).extracting(Delivery::id).containsExactly("dl-5", "dl-4");
        assertThat(first.nextKey()).isEqualTo(clock.instant().plusSeconds(4).toEpochMilli() + ".dl-4");

        Page<Delivery> second = deliveries.list("acme", DeliveryStore.Filter.NONE, next(first), 2);
        assertThat(second.items()).extracting(Delivery::id).containsExactly("dl-3", "dl-2");

        Page<Delivery> last = deliveries.list("acme", DeliveryStore.Filter.NONE, next(second), 2);
        assertThat(last.items()).extracting(Delivery::id).containsExactly("dl-1");
        assertThat(last.nextKey()).isNull();
    }

    @Test
    void filtersByEndpointAndStatus() {
        deliveriesExist();
        assertThat(ids("acme", new DeliveryStore.Filter("ep-1", null, null, null, null, null)))
                .containsExactly("dl-4", "dl-3", "dl-1");
        assertThat(ids("acme", new DeliveryStore.Filter(null, Delivery.Status.FAILED, null, null, null, null)))
                .containsExactly("dl-4", "dl-2");
        assertThat(ids("acme", new DeliveryStore.Filter("ep-2", Delivery.Status.PENDING, null, null, null, null)))
                .containsExactly("dl-5");
        assertThat(ids("acme", new DeliveryStore.Filter("ep-g", null, null, null, null, null))).isEmpty();

        DeliveryStore.Filter ep1 = new DeliveryStore.Filter("ep-1", null, null, null, null, null);
        Page<Delivery> page = deliveries.list("acme", ep1, null, 1);
        assertThat(page.items()).extracting(Delivery::id).containsExactly("dl-4");
        assertThat(deliveries.list("acme", ep1, next(page), 1).items()).extracting(Delivery::id)
                .containsExactly("dl-3");
    }

    private List<String> ids(String tenantId, DeliveryStore.Filter filter) {
        return deliveries.list(tenantId, filter, null, 100).items().stream().map(Delivery::id).toList();
    }

    private static Position next(Page<?> page) {
        return Position.parse(page.nextKey()).orElseThrow();
    }

    @Test
    void aListCarriesTheDeliveryFieldsButNoEventsOrAttempts() {
        deliveriesExist();
        Delivery d = deliveries.list("acme", new DeliveryStore.Filter(null, Delivery.Status.DELIVERED, null, null, null, null),
                null, 10).items().getFirst();

        assertThat(d.tenantId()).isEqualTo("acme");
        assertThat(d.endpointId()).isEqualTo("ep-1");
        assertThat(d.status()).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(d.eventCount()).isEqualTo(3);
        assertThat(d.attemptCount()).isEqualTo(1);
        assertThat(d.createdAt()).isEqualTo(clock.instant().plusSeconds(1));
        assertThat(d.deliveredAt()).isEqualTo(clock.instant().plusSeconds(2));
        assertThat(d.nextAttemptAt()).isNull();
        assertThat(d.eventIds()).isEmpty();
        assertThat(d.attempts()).isEmpty();
    }

    @Test
    void getsADeliveryWithItsEventsInBodyOrderAndItsAttemptsInOrder() {
        deliveriesExist();
        insertDeliveryEvent("dl-2", 2, "ev-c");
        insertDeliveryEvent("dl-2", 0, "ev-a");
        insertDeliveryEvent("dl-2", 1, "ev-b");
        insertAttempt("dl-2", 2, null, "timeout after 10000 ms");
        insertAttempt("dl-2", 1, 503, null);

        Delivery d = deliveries.get("acme", "dl-2").orElseThrow();

        assertThat(d.id()).isEqualTo("dl-2");
        assertThat(d.endpointId()).isEqualTo("ep-2");
        assertThat(d.status()).isEqualTo(Delivery.Status.FAILED);
        assertThat(d.attemptCount()).isEqualTo(26);
        assertThat(d.eventIds()).containsExactly("ev-a", "ev-b", "ev-c");
        Instant t = clock.instant();
        assertThat(d.attempts()).containsExactly(
                new Attempt(1, t.plusSeconds(1), 503, 1_001, null, "body of attempt 1"),
                new Attempt(2, t.plusSeconds(2), null, 1_002, "timeout after 10000 ms", "body of attempt 2"));
    }

    @Test
    void anotherTenantsDeliveryIsNotFound() {
        deliveriesExist();
        assertThat(deliveries.get("acme", "dl-9")).isEmpty();
        assertThat(deliveries.get("globex", "dl-2")).isEmpty();
        assertThat(deliveries.get("acme", "dl-unknown")).isEmpty();
        assertThat(ids("globex", DeliveryStore.Filter.NONE)).containsExactly("dl-9");
    }

    @Test
    void retryMakesAFailedDeliveryDueNowWithOneMoreAttempt() {
        deliveriesExist();
        sql("UPDATE deliveries SET lease_token = 'old', lease_expires_at = 1, finished_at = 2 WHERE id = 'dl-2'");
        clock.tick(Duration.ofDays(31));

        assertThat(deliveries.retry("acme", "dl-2", clock.instant())).isEqualTo(RetryOutcome.RETRYING);

        assertThat(rows("SELECT status, next_attempt_at, attempt_limit, attempt_count, lease_token, lease_expires_at,"
                + " finished_at FROM deliveries WHERE id = ?", "dl-2"))
                .containsExactly("pending", Long.toString(clock.instant().toEpochMilli()), "27", "26", null, null, null);
        Delivery d = deliveries.get("acme", "dl-2").orElseThrow();
        assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
        assertThat(d.nextAttemptAt()).isEqualTo(clock.instant());
    }

    @Test
    void onlyAFailedDeliveryIsRetried() {
        deliveriesExist();
        assertThat(deliveries.retry("acme", "dl-3", clock.instant())).isEqualTo(RetryOutcome.NOT_FAILED);
        assertThat(deliveries.retry("acme", "dl-1", clock.instant())).isEqualTo(RetryOutcome.NOT_FAILED);
        assertThat(rows("SELECT status, attempt_limit FROM deliveries WHERE id = ?", "dl-1")).containsExactly("delivered", null);

        assertThat(deliveries.retry("acme", "dl-4", clock.instant())).isEqualTo(RetryOutcome.RETRYING);
        assertThat(deliveries.retry("acme", "dl-4", clock.instant())).isEqualTo(RetryOutcome.NOT_FAILED);
    }

    @Test
    void retryFindsNeitherUnknownDeliveriesNorAnotherTenants() {
        deliveriesExist();
        assertThat(deliveries.retry("acme", "dl-unknown", clock.instant())).isEqualTo(RetryOutcome.NOT_FOUND);
        assertThat(deliveries.retry("acme", "dl-9", clock.instant())).isEqualTo(RetryOutcome.NOT_FOUND);

        assertThat(rows("SELECT status FROM deliveries WHERE id = ?", "dl-9")).containsExactly("failed");
    }

    @Test
    void migratingAnUpToDateDatabaseAgainChangesNothing() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));

        try (Database again = open()) {
            assertThat(new TenantStore(again).get("acme")).isPresent();
            int migrations = again.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery(
                        "SELECT COUNT(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(migrations).isEqualTo(migrationFiles(again));
        }
    }

    @Test
    void sealingReadsAtMostWhatItIsAskedForAndSealsWhatTheSealerChose() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        endpoints.create(endpoint("ep-1", "acme", spec(List.of())));
        List<NewEvent> backlog = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            backlog.add(new NewEvent("ev-" + i, "order.created", "{}"));
        }
        events.publish("acme", backlog, clock.instant());
        BatchStore batches = new BatchStore(db);
        BatchStore.Sealer firstTen = (queue, waiting, now) -> List.of(new BatchStore.Sealing(
                Ids.uuid7(clock), "batch", waiting.subList(0, 10), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        BatchStore.Sealed first = batches.seal("ep-1", 20, clock.instant(), firstTen).orElseThrow();
        BatchStore.Sealed second = batches.seal("ep-1", 20, clock.instant(), firstTen).orElseThrow();

        assertThat(first.read()).isEqualTo(20);
        assertThat(first.deliveries().getFirst().events()).extracting(QueuedEvent::id)
                .containsExactly("ev-0", "ev-1", "ev-2", "ev-3", "ev-4", "ev-5", "ev-6", "ev-7", "ev-8", "ev-9");
        assertThat(second.read()).isEqualTo(15);
        assertThat(second.deliveries().getFirst().events().getFirst().id()).isEqualTo("ev-10");
        assertThat(second.queue().lastSealedAt()).isEqualTo(clock.instant());
        assertThat(count("SELECT COUNT(*) FROM queue")).isEqualTo(5L);
        assertThat(count("SELECT COUNT(*) FROM delivery_events")).isEqualTo(20L);
        assertThat(batches.waiting(3)).singleElement().extracting(BatchStore.Waiting::count).isEqualTo(3);
        assertThat(batches.seal("no-such-endpoint", 20, clock.instant(), firstTen)).isEmpty();
    }

    // --- finding events and their deliveries (GET …/events, GET …/events/{id}, the delivery list's filters) -------------

    EndpointSpec perEvent(List<String> types) {
        return new EndpointSpec("https://partner.example/webhooks", "", types, Format.EVENT, Batching.defaults(),
                RetryPolicy.exponentialDefault(), Map.of(), null, Duration.ofSeconds(10), 10, null, EndpointSpec.Ordering.NONE,
                Status.ACTIVE);
    }

    /** acme: ep-batch (every type, sealed here by hand) and ep-paid (order.paid, one delivery per event); globex: ep-g. */
    private BatchStore.Sealed eventsAndDeliveries() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));
        endpoints.create(endpoint("ep-batch", "acme", spec(List.of())));
        endpoints.create(endpoint("ep-paid", "acme", perEvent(List.of("order.paid"))));
        endpoints.create(endpoint("ep-g", "globex", perEvent(List.of())));
        events.publish("acme", List.of(new NewEvent("e1", "order.created", "{\"n\":1}"),
                new NewEvent("e2", "order.paid", "{\"n\":2}", "key-7"), new NewEvent("e3", "user.created", "{\"n\":3}")),
                clock.instant());
        events.publish("globex", List.of(new NewEvent("e2", "order.paid", "{}")), clock.instant());
        clock.tick(Duration.ofMinutes(1));
        BatchStore.Sealer all = (queue, waiting, now) -> List.of(new BatchStore.Sealing("dl-batch", "batch", waiting,
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return new BatchStore(db).seal("ep-batch", 100, clock.instant(), all).orElseThrow();
    }

    private String deliveryOf(String endpointId) {
        return rows("SELECT id FROM deliveries WHERE endpoint_id = ?", endpointId).getFirst();
    }

    @Test
    void sealingKeepsTheTypeOfEveryEventInADelivery() {
        eventsAndDeliveries();

        assertThat(rows("SELECT event_id, event_type FROM delivery_events WHERE delivery_id = 'dl-batch' ORDER BY position"))
                .containsExactly("e1", "order.created", "e2", "order.paid", "e3", "user.created");
        assertThat(rows("SELECT de.event_id, de.event_type FROM delivery_events de JOIN deliveries d ON d.id = de.delivery_id"
                + " WHERE d.endpoint_id = 'ep-paid'")).as("sealed per event at publish").containsExactly("e2", "order.paid");
    }

    @Test
    void deliveriesAreFoundByTheEventsTheyHoldEvenAfterTheEventsArePurged() {
        eventsAndDeliveries();
        String paid = deliveryOf("ep-paid");
        String globex = deliveryOf("ep-g");

        assertThat(ids("acme", filter(null, null, "e2", null))).containsExactlyInAnyOrder("dl-batch", paid);
        assertThat(ids("acme", filter(null, null, "e1", null))).containsExactly("dl-batch");
        assertThat(ids("globex", filter(null, null, "e2", null))).containsExactly(globex);
        assertThat(ids("acme", filter(null, null, null, "order.paid"))).containsExactlyInAnyOrder("dl-batch", paid);
        assertThat(ids("acme", filter(null, null, null, "user.created"))).containsExactly("dl-batch");
        assertThat(ids("acme", filter(null, null, null, "batch"))).isEmpty();
        assertThat(ids("acme", filter("ep-paid", null, "e2", "order.paid"))).containsExactly(paid);
        assertThat(ids("acme", filter("ep-paid", null, "e1", null))).isEmpty();
        assertThat(ids("acme", filter(null, Delivery.Status.PENDING, "e3", "user.created"))).containsExactly("dl-batch");

        sql("DELETE FROM events");

        assertThat(ids("acme", filter(null, null, null, "order.paid"))).containsExactlyInAnyOrder("dl-batch", paid);
        assertThat(ids("acme", filter(null, null, "e3", null))).containsExactly("dl-batch");
    }

    @Test
    void sinceAndUntilBoundTheCreationTimeOfDeliveries() {
        deliveriesExist(); // created 1 s apart: dl-1 at +1 s … dl-5 at +5 s
        Instant t = clock.instant();

        assertThat(ids("acme", new DeliveryStore.Filter(null, null, null, null, t.plusSeconds(2), t.plusSeconds(4))))
                .containsExactly("dl-3", "dl-2");
        assertThat(ids("acme", new DeliveryStore.Filter(null, null, null, null, t.plusSeconds(4), null)))
                .containsExactly("dl-5", "dl-4");
        assertThat(ids("acme", new DeliveryStore.Filter(null, null, null, null, null, t.plusSeconds(2))))
                .containsExactly("dl-1");
        assertThat(ids("acme", new DeliveryStore.Filter("ep-1", Delivery.Status.FAILED, null, null, t, t.plusSeconds(5))))
                .containsExactly("dl-4");
    }

    @Test
    void aListPagesOnByTimeThenIdWhenManyShareOneMillisecond() {
        deliveriesExist();
        for (String id : List.of("dl-7b", "dl-7a", "dl-7c")) {
            insertDelivery(id, "acme", "ep-2", "pending", 0, 7);
        }
        List<String> walked = new ArrayList<>();
        Position after = null;
        do {
            Page<Delivery> page = deliveries.list("acme", DeliveryStore.Filter.NONE, after, 2);
            page.items().forEach(x -> walked.add(x.id()));
            after = page.nextKey() == null ? null : next(page);
        } while (after != null);

        assertThat(walked).containsExactly("dl-7c", "dl-7b", "dl-7a", "dl-5", "dl-4", "dl-3", "dl-2", "dl-1");
    }

    private static DeliveryStore.Filter filter(String endpointId, Delivery.Status status, String eventId, String eventType) {
        return new DeliveryStore.Filter(endpointId, status, eventId, eventType, null, null);
    }

    private List<String> eventIds(String tenantId, RetainedEventStore.Filter filter) {
        return new RetainedEventStore(db).list(tenantId, filter, null, 100).items().stream().map(RetainedEvent::id).toList();
    }

    @Test
    void listsRetainedEventsNewestFirstByTypeAndTime() {
        eventsAndDeliveries();
        Instant t0 = clock.instant().minus(Duration.ofMinutes(1));
        events.publish("acme", List.of(new NewEvent("e4", "order.paid", "{\"n\":4}")), clock.instant());

        assertThat(eventIds("acme", RetainedEventStore.Filter.NONE)).containsExactly("e4", "e3", "e2", "e1");
        assertThat(eventIds("acme", new RetainedEventStore.Filter("order.paid", null, null))).containsExactly("e4", "e2");
        assertThat(eventIds("acme", new RetainedEventStore.Filter(null, clock.instant(), null))).containsExactly("e4");
        assertThat(eventIds("acme", new RetainedEventStore.Filter(null, t0, clock.instant()))).containsExactly("e3", "e2", "e1");
        assertThat(eventIds("acme", new RetainedEventStore.Filter("order.paid", null, clock.instant()))).containsExactly("e2");
        assertThat(eventIds("globex", RetainedEventStore.Filter.NONE)).containsExactly("e2");

        RetainedEvent e2 = new RetainedEventStore(db).list("acme", new RetainedEventStore.Filter("order.paid", null, null), null, 10)
                .items().get(1);
        assertThat(e2).isEqualTo(new RetainedEvent(e2.seq(), "e2", "order.paid", t0, "key-7", "{\"n\":2}", List.of()));

        RetainedEventStore store = new RetainedEventStore(db);
        Page<RetainedEvent> first = store.list("acme", RetainedEventStore.Filter.NONE, null, 3);
        assertThat(first.items()).extracting(RetainedEvent::id).containsExactly("e4", "e3", "e2");
        Page<RetainedEvent> rest = store.list("acme", RetainedEventStore.Filter.NONE, Position.parseNumbered(first.nextKey()).orElseThrow(), 3);
        assertThat(rest.items()).extracting(RetainedEvent::id).containsExactly("e1");
        assertThat(rest.nextKey()).isNull();
    }

    @Test
    void aPageOfEventsEndsEarlyWhenTheirDataPassesItsBudget() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        String mib = "{\"x\":\"" + "a".repeat((int) (RetainedEventStore.PAGE_DATA_BYTES / 4) - 8) + "\"}";
        List<NewEvent> big = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            big.add(new NewEvent("big-" + i, "order.paid", mib));
        }
        events.publish("acme", big, clock.instant());
        RetainedEventStore store = new RetainedEventStore(db);

        Page<RetainedEvent> first = store.list("acme", RetainedEventStore.Filter.NONE, null, 250);
        assertThat(first.items()).extracting(RetainedEvent::id).containsExactly("big-5", "big-4", "big-3", "big-2");
        Page<RetainedEvent> second = store.list("acme", RetainedEventStore.Filter.NONE, Position.parseNumbered(first.nextKey()).orElseThrow(), 250);
        assertThat(second.items()).extracting(RetainedEvent::id).containsExactly("big-1", "big-0");
        assertThat(second.nextKey()).isNull();
        assertThat(second.items().getFirst().data()).isEqualTo(mib);
    }

    @Test
    void anEventIsReadWithEveryDeliveryThatCarriesItAndOnlyByItsTenant() {
        eventsAndDeliveries();
        String paid = deliveryOf("ep-paid");
        RetainedEventStore store = new RetainedEventStore(db);

        RetainedEvent e2 = store.get("acme", "e2").orElseThrow();
        assertThat(e2.data()).isEqualTo("{\"n\":2}");
        assertThat(e2.deliveries()).containsExactly(
                new RetainedEvent.DeliveryRef(paid, "ep-paid", Delivery.Status.PENDING),
                new RetainedEvent.DeliveryRef("dl-batch", "ep-batch", Delivery.Status.PENDING));
        assertThat(store.get("acme", "e1").orElseThrow().deliveries()).extracting(RetainedEvent.DeliveryRef::id)
                .containsExactly("dl-batch");
        assertThat(store.get("globex", "e2").orElseThrow().deliveries()).extracting(RetainedEvent.DeliveryRef::id)
                .containsExactly(deliveryOf("ep-g"));
        assertThat(store.get("globex", "e1")).isEmpty();
        assertThat(store.get("acme", "nobody")).isEmpty();
    }

    @Test
    void anIdPublishedAgainAfterItsEventWasPurgedDoesNotInheritTheOldDeliveries() {
        eventsAndDeliveries();
        sql("DELETE FROM events WHERE tenant_id = 'acme' AND id = 'e1'"); // as retention does

        events.publish("acme", List.of(new NewEvent("e1", "order.created", "{\"again\":true}")), clock.instant());

        RetainedEvent again = new RetainedEventStore(db).get("acme", "e1").orElseThrow();
        assertThat(again.data()).isEqualTo("{\"again\":true}");
        assertThat(again.deliveries()).isEmpty();
        assertThat(ids("acme", filter(null, null, "e1", null))).as("the filter is by id: the old delivery still holds it")
                .containsExactly("dl-batch");
    }

    /** A list query's filter and the index that must serve it: the first one read, on SQLite. */
    private record Served<F>(F filter, String index, String alsoIndex) {
    }

    /**
     * Every filter of the two lists has an index that narrows it: no plan reads a whole table. On SQLite (which
     * keeps no statistics here, so its plans are the same on a full database) the list starts from the filter's own
     * index; on PostgreSQL, whose plans follow statistics, sequential scans are turned off to show that an index
     * serves each (docs/architecture.md, "Indexes of the lists", has the plans on a populated database).
     */
    @Test
    void everyListFilterIsServedByAnIndex() {
        Instant t = clock.instant();
        List<Served<DeliveryStore.Filter>> deliveryFilters = List.of(
                new Served<>(DeliveryStore.Filter.NONE, "deliveries_by_tenant", null),
                new Served<>(filter("ep-1", null, null, null), "deliveries_by_endpoint", null),
                new Served<>(filter(null, Delivery.Status.FAILED, null, null), "deliveries_by_tenant_status", null),
                new Served<>(filter(null, null, "e1", null), "delivery_events_by_event", null),
                // why: walks the tenant's deliveries newest first and probes the type's index for each
                new Served<>(filter(null, null, null, "order.paid"), "deliveries_by_tenant", "delivery_events_by_type"),
                new Served<>(new DeliveryStore.Filter(null, null, null, null, t, t.plusSeconds(60)), "deliveries_by_tenant (tenant_id=? AND created_at>?", null),
                new Served<>(new DeliveryStore.Filter("ep-1", Delivery.Status.FAILED, "e1", "order.paid", t, t.plusSeconds(60)),
                        "delivery_events_by_event", "delivery_events_by_type"));
        for (Served<DeliveryStore.Filter> served : deliveryFilters) {
            for (Position after : java.util.Arrays.asList(null, new Position(t.toEpochMilli(), "dl-x"))) {
                assertServed(served, plan(DeliveryStore.listing("acme", served.filter(), after, 50)));
            }
        }
        List<Served<RetainedEventStore.Filter>> eventFilters = List.of(
                new Served<>(RetainedEventStore.Filter.NONE, "events_by_tenant", null),
                new Served<>(new RetainedEventStore.Filter("order.paid", null, null), "events_by_tenant_type", null),
                new Served<>(new RetainedEventStore.Filter(null, t, t.plusSeconds(60)), "events_by_tenant (tenant_id=? AND created_at>?", null));
        for (Served<RetainedEventStore.Filter> served : eventFilters) {
            for (Position after : java.util.Arrays.asList(null, new Position(t.toEpochMilli(), "7"))) {
                assertServed(served, plan(RetainedEventStore.sizes("acme", served.filter(), after, 50)));
            }
        }
    }

    private void assertServed(Served<?> served, String plan) {
        var that = assertThat(plan).as("%s", served.filter());
        if (db.dialect() == Dialect.SQLITE) {
            String first = plan.lines().filter(l -> l.contains("SEARCH") || l.contains("SCAN")).findFirst().orElseThrow();
            assertThat(first).as("the first step of %s in%n%s", served.filter(), plan).contains("SEARCH").contains(served.index());
            that.doesNotContainPattern("SCAN (d|deliveries|de|delivery_events|events)\\b");
        } else {
            String index = served.alsoIndex() != null ? served.alsoIndex() : served.index().replaceFirst(" .*", "");
            that.contains(index).doesNotContain("Seq Scan");
        }
        if (served.alsoIndex() != null) {
            that.contains(served.alsoIndex());
        }
    }

    /** The query plan of {@code statement}, one line per step. */
    private String plan(Statement statement) {
        boolean sqlite = db.dialect() == Dialect.SQLITE;
        return db.read(c -> {
            if (!sqlite) {
                c.createStatement().execute("SET enable_seqscan = off");
            }
            try (PreparedStatement ps = c.prepareStatement((sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + statement.sql())) {
                Sql.bind(ps, statement.params());
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(sqlite ? 4 : 1)).append('\n');
                    }
                }
                return plan.toString();
            } finally {
                if (!sqlite) {
                    c.createStatement().execute("RESET enable_seqscan");
                }
            }
        });
    }

    /** A new database without Herald's schema: its JDBC URL. */
    protected abstract String emptyDatabase();

    /** Opens (and migrates) the database of {@link #emptyDatabase}'s URL. */
    protected abstract Database open(String url);

    @Test
    void theMigrationFillsInTheTypesOfDeliveriesSealedBeforeIt() throws Exception {
        String url = emptyDatabase();
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations(db.dialect().migrations())
                .target(versionBefore(7, db)).load().migrate();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 0)");
            s.execute("INSERT INTO endpoints (id, tenant_id, url, description, event_types, format, batch_max_events,"
                    + " batch_window_ms, retry_policy, retry_max_attempts, retry_on, headers, secret, timeout_ms, max_concurrency,"
                    + " status, created_at, updated_at) VALUES ('ep', 'acme', 'https://x', '', '[]', 'batch', 100, 1000,"
                    + " 'polynomial', 26, 'non_2xx', '{}', 's', 1000, 8, 'active', 0, 0)");
            s.execute("INSERT INTO events (tenant_id, id, type, data, created_at) VALUES ('acme', 'kept', 'order.paid', '{}', 0)");
            long kept = Long.parseLong(one(c, "SELECT seq FROM events WHERE id = 'kept'"));
            for (String[] delivery : new String[][] {{"dl-batch", "batch"}, {"dl-alone", "order.refunded"}}) {
                s.execute("INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body, created_at)"
                        + " VALUES ('" + delivery[0] + "', 'acme', 'ep', 'failed', '" + delivery[1] + "', 1, 'x', 0)");
            }
            s.execute("INSERT INTO delivery_events (delivery_id, position, event_seq, event_id) VALUES"
                    + " ('dl-batch', 0, " + kept + ", 'kept'), ('dl-batch', 1, 999998, 'purged'), ('dl-alone', 0, 999999, 'purged-alone')");
        }

        try (Database migrated = open(url)) {
            var store = new DeliveryStore(migrated);
            List<String> types = migrated.read(c -> Sql.list(c, "SELECT event_id, event_type FROM delivery_events ORDER BY event_id",
                    rs -> rs.getString(1) + "=" + rs.getString(2)));
            assertThat(types).as("from the retained event, from a per-event delivery, and unknown where neither is left")
                    .containsExactly("kept=order.paid", "purged=null", "purged-alone=order.refunded");
            assertThat(store.list("acme", filter(null, null, null, "order.paid"), null, 10).items()).extracting(Delivery::id)
                    .containsExactly("dl-batch");
            assertThat(store.list("acme", filter(null, null, null, "order.refunded"), null, 10).items()).extracting(Delivery::id)
                    .containsExactly("dl-alone");
        }
    }

    /** The newest migration older than {@code version}, so a test can stop the schema just before it. */
    static String versionBefore(int version, Database db) {
        java.nio.file.Path dir = java.nio.file.Path.of("src/main/resources",
                db.dialect().migrations().substring("classpath:".length()));
        try (var files = java.nio.file.Files.list(dir)) {
            return Integer.toString(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .filter(v -> v < version).max().orElseThrow());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String one(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    // --- claims, leases and fencing (as db-scheduler's and JobRunr's suites test them) ------------------------------

    private static final Duration LEASE = Duration.ofSeconds(40);

    private Endpoint claimable() {
        tenantsExist();
        Endpoint e = endpoint("ep-1", "acme", spec(List.of()));
        endpoints.create(e);
        return endpoints.get("acme", "ep-1").orElseThrow();
    }

    private List<DispatchStore.Claim> claim(DispatchStore store, Endpoint e, int slots) {
        return store.claim(Map.of(e, slots), clock.instant(), x -> LEASE);
    }

    @Test
    void aClaimTakesDueDeliveriesOldestDueFirstAndASecondClaimFindsNothing() {
        Endpoint e = claimable();
        insertDelivery("dl-b", "acme", "ep-1", "pending", 0, 2);
        insertDelivery("dl-a", "acme", "ep-1", "pending", 0, 1);
        insertDelivery("dl-later", "acme", "ep-1", "pending", 0, 60);
        clock.tick(Duration.ofSeconds(5));
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);

        List<DispatchStore.Claim> first = claim(store, e, 10);
        List<DispatchStore.Claim> second = claim(store, e, 10);

        assertThat(first).extracting(DispatchStore.Claim::deliveryId).containsExactly("dl-a", "dl-b");
        assertThat(first).allSatisfy(c -> {
            assertThat(c.leaseToken()).isNotNull();
            assertThat(c.reclaimed()).isFalse();
            assertThat(c.attemptCount()).isZero();
        });
        assertThat(second).as("a delivery under lease is not due").isEmpty();
        assertThat(rows("SELECT next_attempt_at FROM deliveries WHERE id = 'dl-a'"))
                .containsExactly(Long.toString(clock.instant().plus(LEASE).toEpochMilli()));
    }

    @Test
    void anExpiredLeaseIsReclaimedAndItsLostAttemptCounted() {
        Endpoint e = claimable();
        insertDelivery("dl-1", "acme", "ep-1", "pending", 0, 0);
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);
        Instant firstClaim = clock.instant();
        DispatchStore.Claim lost = claim(store, e, 1).getFirst();

        clock.tick(LEASE.plusSeconds(1));
        DispatchStore.Claim again = claim(store, e, 1).getFirst();

        assertThat(again.reclaimed()).isTrue();
        assertThat(again.leaseToken()).isNotNull().isNotEqualTo(lost.leaseToken());
        assertThat(again.attemptCount()).as("the lost attempt counts: X-Webhook-Retry is 1").isEqualTo(1);
        Delivery d = deliveries.get("acme", "dl-1").orElseThrow();
        assertThat(d.attemptCount()).isEqualTo(1);
        assertThat(d.attempts()).singleElement().satisfies(a -> {
            assertThat(a.n()).isEqualTo(1);
            assertThat(a.statusCode()).isNull();
            assertThat(a.at()).isEqualTo(firstClaim);
            assertThat(a.error()).startsWith("outcome unknown: ");
        });
    }

    @Test
    void aLostAttemptThatWasTheLastAllowedFailsTheDelivery() {
        Endpoint e = claimable();
        insertDelivery("dl-1", "acme", "ep-1", "pending", e.spec().retry().maxAttempts() - 1, 0);
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);
        claim(store, e, 1);

        clock.tick(LEASE.plusSeconds(1));
        List<DispatchStore.Claim> again = claim(store, e, 1);

        assertThat(again).singleElement().satisfies(c -> assertThat(c.toSend()).isFalse());
        Delivery d = deliveries.get("acme", "dl-1").orElseThrow();
        assertThat(d.status()).isEqualTo(Delivery.Status.FAILED);
        assertThat(d.attemptCount()).isEqualTo(e.spec().retry().maxAttempts());
        assertThat(claim(store, e, 1)).isEmpty();
    }

    @Test
    void anOutcomeWrittenUnderALeaseThatRanOutAndWasTakenAgainIsFencedAndWritesNothing() {
        Endpoint e = claimable();
        insertDelivery("dl-1", "acme", "ep-1", "pending", 0, 0);
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);
        DispatchStore.Claim old = claim(store, e, 1).getFirst();
        clock.tick(LEASE.plusSeconds(1));
        DispatchStore.Claim current = claim(store, e, 1).getFirst();

        Set<String> fenced = store.record(List.of(outcome(old, 1, 200, Delivery.Status.DELIVERED)), clock.instant());

        assertThat(fenced).containsExactly("dl-1");
        Delivery d = deliveries.get("acme", "dl-1").orElseThrow();
        assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
        assertThat(d.attempts()).as("only the lost attempt, no row from the fenced write").hasSize(1);

        assertThat(store.record(List.of(outcome(current, 2, 200, Delivery.Status.DELIVERED)), clock.instant())).isEmpty();
        assertThat(deliveries.get("acme", "dl-1").orElseThrow().status()).isEqualTo(Delivery.Status.DELIVERED);
    }

    @Test
    void textFromOutsideIsStoredAsValidUtf8WithoutNulCutAt4KiB() {
        Endpoint e = claimable();
        insertDelivery("dl-1", "acme", "ep-1", "pending", 0, 0);
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);
        DispatchStore.Claim c = claim(store, e, 1).getFirst();
        String hostile = "ok\u0000 \ud800 é" + "x".repeat(5000);
        Attempt attempt = new Attempt(1, clock.instant(), 200, 12, "bad\u0000error\udfff", hostile);

        store.record(List.of(new DispatchStore.Outcome(c, attempt, Delivery.Status.DELIVERED, null, null)), clock.instant());

        Attempt stored = deliveries.get("acme", "dl-1").orElseThrow().attempts().getFirst();
        assertThat(stored.responseBody()).startsWith("ok\ufffd \ufffd é").doesNotContain("\u0000");
        assertThat(stored.responseBody().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(4096);
        assertThat(stored.error()).isEqualTo("bad\ufffderror\ufffd");
    }

    @Test
    void claimsAtTheSameTimeAreDisjoint() throws Exception {
        Endpoint e = claimable();
        for (int i = 0; i < 200; i++) {
            insertDelivery("dl-" + i, "acme", "ep-1", "pending", 0, 0);
        }
        clock.tick(Duration.ofSeconds(1));
        DispatchStore store = new DispatchStore(db, SecretBox.plaintext(), events);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<DispatchStore.Claim>>> rounds = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                rounds.add(pool.submit(() -> claim(store, e, 30)));
            }
            List<String> claimed = new ArrayList<>();
            for (var r : rounds) {
                r.get().forEach(c -> claimed.add(c.deliveryId()));
            }
            assertThat(claimed).doesNotHaveDuplicates().hasSize(200);
        } finally {
            pool.shutdownNow();
        }
    }

    private DispatchStore.Outcome outcome(DispatchStore.Claim c, int n, int code, Delivery.Status status) {
        return new DispatchStore.Outcome(c, new Attempt(n, clock.instant(), code, 5, null, "ok"), status, null, null);
    }

    @Test
    void pingAnswersWhileOpenAndNotAfterClose() {
        Database other = open();
        assertThat(other.ping()).isTrue();

        other.close();

        assertThat(other.ping()).isFalse();
    }

    // --- fixtures -------------------------------------------------------------------------------------------------

    /** How many versioned migrations this database's dialect has in the sources. */
    static long migrationFiles(Database db) {
        java.nio.file.Path dir = java.nio.file.Path.of("src/main/resources",
                db.dialect().migrations().substring("classpath:".length()));
        try (var files = java.nio.file.Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    EndpointSpec spec(List<String> types) {
        return new EndpointSpec("https://partner.example/webhooks", "", types, Format.BATCH, Batching.defaults(),
                RetryPolicy.polynomialDefault(), Map.of("X-Partner-Account", "42"), null, Duration.ofSeconds(10), 10, null, EndpointSpec.Ordering.NONE,
                Status.ACTIVE);
    }

    static EndpointSpec withTls(EndpointSpec s, TlsSettings tls) {
        return new EndpointSpec(s.url(), s.description(), s.eventTypes(), s.format(), s.batch(), s.retry(), s.headers(), tls,
                s.timeout(), s.maxConcurrency(), s.rateLimitPerS(), s.ordering(), s.status());
    }

    Endpoint endpoint(String id, String tenantId, EndpointSpec spec) {
        return new Endpoint(id, tenantId, spec, "whsec_secret_of_" + id, null, null, null, clock.instant(), clock.instant());
    }

    /** A delivery as the batcher would seal it; {@code n} spaces its times one second apart. */
    void insertDelivery(String id, String tenantId, String endpointId, String status, int attemptCount, int n) {
        Instant created = clock.instant().plusSeconds(n);
        sql("INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body, attempt_count,"
                        + " next_attempt_at, created_at, delivered_at) VALUES (?, ?, ?, ?, 'batch', ?, ?, ?, ?, ?, ?)",
                id, tenantId, endpointId, status, 3, "{\"batch_id\":\"x\"}".getBytes(), attemptCount,
                status.equals("pending") ? created.toEpochMilli() : null, created.toEpochMilli(),
                status.equals("delivered") ? created.plusSeconds(1).toEpochMilli() : null);
    }

    void insertDeliveryEvent(String deliveryId, int position, String eventId) {
        sql("INSERT INTO delivery_events (delivery_id, position, event_seq, event_id) VALUES (?, ?, ?, ?)",
                deliveryId, position, 1_000 + position, eventId);
    }

    void insertAttempt(String deliveryId, int n, Integer statusCode, String error) {
        sql("INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, error, response_body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                deliveryId, n, clock.instant().plusSeconds(n).toEpochMilli(), statusCode, 1_000 + n, error, "body of attempt " + n);
    }

    void sql(String sql, Object... params) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Sql.bind(ps, params);
                return ps.executeUpdate();
            }
        });
    }

    long count(String sql) {
        return Long.parseLong(rows(sql).getFirst());
    }

    @Test
    void aFailedTransactionReportsItsCauseEvenWhenTheDatabaseAlreadyRolledItBack() {
        // why: on SQLITE_FULL or an I/O error SQLite may roll the transaction back by itself; the rollback and the
        // return to auto-commit that follow then fail too, and once hid the cause behind "cannot commit - no
        // transaction is active"
        assertThatThrownBy(() -> db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("INSERT INTO tenants (id, name, created_at) VALUES ('rolled-back', 'n', 0)");
                s.execute("ROLLBACK");
            }
            throw new java.sql.SQLException("the real cause", "58030");
        }))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the real cause")
                .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_WRITABLE));
        assertThat(tenants.get("rolled-back")).isEmpty();
        // the connection went back to the pool in a usable state
        assertThat(tenants.create(new Tenant("after", "n", Instant.EPOCH))).isTrue();
    }

    /** Every column of every row, as text (null stays null), in the order the query returns them. */
    List<String> rows(String sql, Object... params) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Sql.bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> out = new ArrayList<>();
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            out.add(rs.getString(i));
                        }
                    }
                    return out;
                }
            }
        });
    }

    @Test
    void queueHealthCountsPendingDeliveriesOfLiveEndpointsAndRanksTheBacklogs() {
        QueueStore queue = new QueueStore(db);
        Instant now = clock.instant().plusSeconds(5);
        QueueStore.Health empty = queue.health(now, 50);
        assertThat(empty).isEqualTo(new QueueStore.Health(0, 0, 0, null, List.of()));

        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        tenants.create(new Tenant("globex", "Globex", clock.instant()));
        endpoints.create(endpoint("ep-a", "acme", spec(List.of())));
        endpoints.create(endpoint("ep-b", "acme", spec(List.of()).withStatus(Status.PAUSED)));
        endpoints.create(endpoint("ep-g", "globex", spec(List.of())));
        endpoints.create(endpoint("ep-gone", "acme", spec(List.of())));
        insertDelivery("a-1", "acme", "ep-a", "pending", 0, 0);
        insertDelivery("a-2", "acme", "ep-a", "pending", 2, 1);
        insertDelivery("a-3", "acme", "ep-a", "pending", 0, 2);
        insertDelivery("a-done", "acme", "ep-a", "delivered", 1, 0);
        insertDelivery("a-failed", "acme", "ep-a", "failed", 26, 0);
        insertDelivery("b-later", "acme", "ep-b", "pending", 0, 10);
        insertDelivery("g-1", "globex", "ep-g", "pending", 1, 3);
        insertDelivery("gone-1", "acme", "ep-gone", "pending", 0, 0);
        assertThat(endpoints.delete("acme", "ep-gone", clock.instant())).isTrue();

        QueueStore.Health h = queue.health(now, 50);

        assertThat(h.pending()).as("pending deliveries of live endpoints").isEqualTo(5);
        assertThat(h.due()).as("pending and due by now").isEqualTo(4);
        assertThat(h.retrying()).as("pending after an attempt").isEqualTo(2);
        assertThat(h.oldestDueAt()).isEqualTo(clock.instant());
        assertThat(h.endpoints()).containsExactly(
                new QueueStore.EndpointBacklog("acme", "ep-a", "https://partner.example/webhooks", "active", 3, 3, 1, clock.instant()),
                new QueueStore.EndpointBacklog("globex", "ep-g", "https://partner.example/webhooks", "active", 1, 1, 1, clock.instant().plusSeconds(3)),
                new QueueStore.EndpointBacklog("acme", "ep-b", "https://partner.example/webhooks", "paused", 1, 0, 0, null));
        assertThat(queue.health(now, 2).endpoints()).extracting(QueueStore.EndpointBacklog::endpointId).containsExactly("ep-a", "ep-g");
    }

    @Test
    void aDeliverysRequestIsItsEventTypeAndSealedBodyForItsTenantOnly() {
        tenants.create(new Tenant("acme", "Acme", clock.instant()));
        endpoints.create(endpoint("ep-a", "acme", spec(List.of())));
        insertDelivery("d-1", "acme", "ep-a", "pending", 0, 0);

        DeliveryStore.Request r = deliveries.request("acme", "d-1").orElseThrow();
        assertThat(r.eventType()).isEqualTo("batch");
        assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"batch_id\":\"x\"}");
        assertThat(deliveries.request("globex", "d-1")).isEmpty();
        assertThat(deliveries.request("acme", "nope")).isEmpty();
    }
}
