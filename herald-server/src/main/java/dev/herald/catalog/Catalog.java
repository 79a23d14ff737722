package dev.herald.catalog;

import dev.herald.catalog.Schemas.Compiled;
import dev.herald.catalog.Schemas.Violation;
import dev.herald.json.Json;
import dev.herald.store.EventType;
import dev.herald.store.EventTypeStore;
import dev.herald.store.EventTypeStore.Deletion;
import dev.herald.store.EventTypeStore.Snapshot;
import dev.herald.store.Page;
import dev.herald.validation.EventTypeName;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import dev.herald.validation.Unicode;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The event catalogue: its entries (name, description, schema, example) in the store, and in memory the names and
 * compiled schemas that every publish and every endpoint registration consult without a query.
 *
 * <p>Freshness: a change made through this node is in its memory when the change is answered. A change made on
 * another node (several may share one PostgreSQL) raises the catalogue's version; each node reads that number at most
 * once per {@link #RECHECK}, on the first publish after the interval has passed, and reloads the catalogue when it
 * moved. So another node's schema change or delete takes effect here within about a second. A name this node does not
 * know is looked up at once (one read of the version), so a type created elsewhere can be published immediately.
 * Compiled schemas are kept across reloads while their text is unchanged.
 */
public final class Catalog {
    /** The longest a node uses its copy of the catalogue before it checks whether another node changed it. */
    public static final Duration RECHECK = Duration.ofSeconds(1);
    public static final int MAX_DESCRIPTION_LENGTH = 1024;
    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    /** A type as publishing sees it: its schema, compiled, or null when it has none (or it cannot be compiled). */
    private record Entry(String schemaText, Compiled schema) {
    }

    private record State(long version, Map<String, Entry> types, boolean anySchema) {
    }

    private final EventTypeStore store;
    private final Clock clock;
    private final ReentrantLock loading = new ReentrantLock();
    private volatile State state = new State(-1, Map.of(), false);
    private volatile long checkedAt;

    public Catalog(EventTypeStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        reload();
    }

    // ---- the API's side: the entries themselves, always read from the store ----

    /** Creates the type a {@code POST /v1/event-types} body describes; empty when the name is taken. */
    public Optional<EventType> create(JsonNode body) {
        Fields f = Fields.of(body, "").only("name", "description", "schema", "example");
        String name = f.requiredString("name", EventTypeName.PATTERN, EventTypeName.RULE);
        String description = f.string("description", "", MAX_DESCRIPTION_LENGTH);
        JsonNode schema = f.has("schema") ? checked(f.raw("schema"), "schema") : null;
        JsonNode example = f.has("example") ? example(f.raw("example")) : null;
        Compiled compiled = schema == null ? null : Schemas.compile(schema, "schema");
        if (compiled != null && example != null) {
            check(compiled, example, "");
        }
        var now = clock.instant();
        EventType t = new EventType(name, description, text(schema), text(example), now, now);
        if (!store.create(t)) {
            return Optional.empty();
        }
        reload();
        return Optional.of(t);
    }

    /**
     * Applies a {@code PATCH /v1/event-types/{name}} body: a field given replaces the stored one, {@code null} clears
     * it, an absent one is kept. The example must satisfy the schema that results. Empty when there is no such type.
     */
    public Optional<EventType> update(String name, JsonNode patch) {
        Fields p = Fields.of(patch, "").only("name", "description", "schema", "example");
        JsonNode rename = p.raw("name");
        if (rename != null && !(rename.isString() && rename.stringValue().equals(name))) {
            throw new Invalid("name", "cannot be changed: create a type with the new name (POST /v1/event-types), move"
                    + " subscribers and publishers to it, then delete this one");
        }
        String description = p.has("description") ? p.string("description", "", MAX_DESCRIPTION_LENGTH) : "";
        JsonNode schema = p.has("schema") ? checked(p.raw("schema"), "schema") : null;
        Compiled compiled = schema == null ? null : Schemas.compile(schema, "schema");
        JsonNode example = p.has("example") ? example(p.raw("example")) : null;
        Optional<EventType> updated = store.update(name, t -> {
            String schemaText = p.present("schema") ? text(schema) : t.schema();
            String exampleText = p.present("example") ? text(example) : t.example();
            if (schemaText != null && exampleText != null) {
                Compiled s = compiled != null ? compiled : Schemas.compileStored(Json.parse(schemaText));
                check(s, Json.parse(exampleText), p.present("example") ? ""
                        : " (this is the stored example, which the new schema refuses: send a new example in the same"
                        + " PATCH, or \"example\": null to remove it)");
            }
            return new EventType(name, p.present("description") ? description : t.description(), schemaText, exampleText,
                    t.createdAt(), clock.instant());
        });
        if (updated.isPresent()) {
            reload();
        }
        return updated;
    }

    /** Deletes the type unless an endpoint subscribes to it by name; see {@link EventTypeStore#delete}. */
    public Deletion delete(String name) {
        Deletion d = store.delete(name);
        if (d.deleted()) {
            reload();
        }
        return d;
    }

    public Optional<EventType> get(String name) {
        return store.get(name);
    }

    public Page<EventType> list(String after, int limit) {
        return store.list(after, limit);
    }

    // ---- the publishing side: memory only, but for the checks described above ----

    /** The names among {@code names} that are not in the catalogue, in the order given, without repeats. */
    public List<String> unknown(Collection<String> names) {
        State s = current();
        List<String> unseen = names.stream().filter(n -> !s.types().containsKey(n)).distinct().toList();
        if (unseen.isEmpty()) {
            return unseen;
        }
        // why: a type created on another node a moment ago must not wait for the next check
        State fresh = checkNow();
        return unseen.stream().filter(n -> !fresh.types().containsKey(n)).toList();
    }

    /** Whether any type has a schema: when none has, publishing skips validation altogether. */
    public boolean validates() {
        return state.anySchema();
    }

    /**
     * Where {@code data} breaks the schema of {@code type}; empty when it satisfies it, or the type has no schema. Reads
     * the catalogue as of the last check, which {@link #unknown} makes when it is due.
     */
    public Optional<Violation> violation(String type, JsonNode data) {
        Entry e = state.types().get(type);
        return e == null || e.schema() == null ? Optional.empty() : e.schema().check(data);
    }

    private State current() {
        long now = clock.millis();
        // why: abs, so a clock set back (tests, or a corrected wall clock) cannot stop the checks for as long
        if (Math.abs(now - checkedAt) >= RECHECK.toMillis() && loading.tryLock()) {
            try {
                if (Math.abs(now - checkedAt) >= RECHECK.toMillis()) {
                    check();
                }
            } finally {
                loading.unlock();
            }
        }
        return state;
    }

    private State checkNow() {
        loading.lock();
        try {
            check();
            return state;
        } finally {
            loading.unlock();
        }
    }

    /** Reads the version; loads the catalogue when another node changed it. Called holding {@link #loading}. */
    private void check() {
        checkedAt = clock.millis();
        if (store.version() != state.version()) {
            install(store.load());
        }
    }

    /** Loads the whole catalogue now: after a change made here, so it is in memory before the change is answered. */
    private void reload() {
        loading.lock();
        try {
            checkedAt = clock.millis();
            install(store.load());
        } finally {
            loading.unlock();
        }
    }

    private void install(Snapshot snapshot) {
        Map<String, Entry> old = state.types();
        Map<String, Entry> types = new HashMap<>();
        boolean anySchema = false;
        for (EventType t : snapshot.types()) {
            Entry kept = old.get(t.name());
            Entry e = t.schema() == null ? new Entry(null, null)
                    : kept != null && t.schema().equals(kept.schemaText()) ? kept
                    : new Entry(t.schema(), compileStored(t));
            types.put(t.name(), e);
            anySchema |= e.schema() != null;
        }
        state = new State(snapshot.version(), Map.copyOf(types), anySchema);
    }

    private static Compiled compileStored(EventType t) {
        try {
            return Schemas.compileStored(Json.parse(t.schema()));
        } catch (RuntimeException e) {
            // why: it was checked when written; should a newer library refuse it, events still flow, unchecked
            log.error("Bug: the stored schema of event type {} cannot be compiled; its events are not validated until"
                    + " the schema is replaced (PATCH /v1/event-types/{})", t.name(), t.name(), e);
            return null;
        }
    }

    private static JsonNode checked(JsonNode value, String field) {
        Unicode.checkTree(value, field);
        return value;
    }

    private static JsonNode example(JsonNode example) {
        if (!example.isObject()) {
            throw new Invalid("example", "must be a JSON object: an example of the data of an event of this type");
        }
        return checked(example, "example");
    }

    private static void check(Compiled schema, JsonNode example, String note) {
        schema.check(example).ifPresent(v -> {
            throw new Invalid("example" + v.pointer(), v.rule() + note);
        });
    }

    private static String text(JsonNode node) {
        return node == null ? null : Json.write(node);
    }
}
