package dev.herald.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The catalogue of event types that may be published and subscribed to. Every change raises the catalogue's
 * version ({@code catalog_version}) in its own transaction, so a node that caches the catalogue learns of another
 * node's change by reading one number ({@link #version()}).
 */
public final class EventTypeStore {
    private static final String COLUMNS = "name, description, schema_json, example_json, created_at, updated_at";

    /** The whole catalogue, and the version it was read at. */
    public record Snapshot(long version, List<EventType> types) {
    }

    /** What a delete did: {@code endpoints} is how many endpoints subscribe to the type by name when it was refused. */
    public record Deletion(boolean found, int endpoints) {
        public boolean deleted() {
            return found && endpoints == 0;
        }
    }

    private final Database db;

    public EventTypeStore(Database db) {
        this.db = db;
    }

    /** Inserts the type; false when the name is taken. */
    public boolean create(EventType t) {
        return db.inTransaction(c -> {
            boolean created = Sql.update(c, "INSERT INTO event_types (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT (name) DO NOTHING",
                    t.name(), t.description(), t.schema(), t.example(), t.createdAt().toEpochMilli(),
                    t.updatedAt().toEpochMilli()) == 1;
            if (created) {
                changed(c);
            }
            return created;
        });
    }

    public Optional<EventType> get(String name) {
        return db.read(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM event_types WHERE name = ?", EventTypeStore::eventType, name));
    }

    public Page<EventType> list(String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c, "SELECT " + COLUMNS + " FROM event_types WHERE name > ? ORDER BY name LIMIT ?",
                EventTypeStore::eventType, after == null ? "" : after, limit + 1), limit, EventType::name));
    }

    /**
     * Replaces the type with what {@code change} makes of it, holding the row while {@code change} runs, so two
     * changes at once cannot each pass a check against the other's old state. {@code change} may throw to refuse;
     * nothing is written then. Empty when there is no such type.
     */
    public Optional<EventType> update(String name, UnaryOperator<EventType> change) {
        return db.inTransaction(c -> {
            Optional<EventType> current = Sql.one(c, "SELECT " + COLUMNS + " FROM event_types WHERE name = ?"
                    + db.dialect().forUpdate(), EventTypeStore::eventType, name);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            EventType t = change.apply(current.get());
            if (!t.name().equals(name)) {
                throw new IllegalArgumentException("Bug: an update renamed event type " + name + " to " + t.name());
            }
            Sql.update(c, "UPDATE event_types SET description = ?, schema_json = ?, example_json = ?, updated_at = ?"
                    + " WHERE name = ?", t.description(), t.schema(), t.example(), t.updatedAt().toEpochMilli(), name);
            changed(c);
            return Optional.of(t);
        });
    }

    /**
     * Deletes the type unless an endpoint that is not deleted subscribes to it by its exact name (a wildcard such
     * as {@code order.*} does not hold a type: it selects whichever types exist).
     */
    public Deletion delete(String name) {
        return db.inTransaction(c -> {
            // why: holding the row makes two deletes, or a delete and an update, of one type take turns (PostgreSQL)
            if (Sql.one(c, "SELECT name FROM event_types WHERE name = ?" + db.dialect().forUpdate(),
                    rs -> rs.getString(1), name).isEmpty()) {
                return new Deletion(false, 0);
            }
            int subscribers = subscribers(c, name);
            if (subscribers > 0) {
                return new Deletion(true, subscribers);
            }
            Sql.update(c, "DELETE FROM event_types WHERE name = ?", name);
            changed(c);
            return new Deletion(true, 0);
        });
    }

    /** The catalogue's version: it rises with every create, update and delete, on any node. */
    public long version() {
        return db.read(EventTypeStore::version);
    }

    /** Every type, with the version they were read at. */
    public Snapshot load() {
        return db.read(c -> {
            // why: the version is read first, so a change that commits in between is read with an older version
            // and loaded again at the next check, never missed
            long version = version(c);
            return new Snapshot(version, Sql.list(c, "SELECT " + COLUMNS + " FROM event_types ORDER BY name",
                    EventTypeStore::eventType));
        });
    }

    private static long version(Connection c) throws SQLException {
        return Sql.one(c, "SELECT version FROM catalog_version WHERE id = 1", rs -> rs.getLong(1)).orElseThrow(
                () -> new IllegalStateException("The catalog_version row is missing. Should never happen: migration V5 inserts it."));
    }

    private static void changed(Connection c) throws SQLException {
        Sql.update(c, "UPDATE catalog_version SET version = version + 1 WHERE id = 1");
    }

    /** How many endpoints (not deleted) name {@code type} exactly in their {@code event_types}. */
    private static int subscribers(Connection c, String type) throws SQLException {
        // why: LIKE finds the candidates on both databases (a JSON array holds the name in quotes); the exact test is
        // made here, since LIKE reads '_' as any character and SQLite's LIKE ignores case. A wildcard entry holds
        // '*', which no name does, so it never counts
        List<List<String>> candidates = Sql.list(c, "SELECT event_types FROM endpoints WHERE deleted_at IS NULL"
                + " AND event_types LIKE ?", rs -> EndpointStore.types(rs.getString(1)), "%\"" + type + "\"%");
        return (int) candidates.stream().filter(types -> types.contains(type)).count();
    }

    private static EventType eventType(ResultSet rs) throws SQLException {
        return new EventType(rs.getString("name"), rs.getString("description"), rs.getString("schema_json"),
                rs.getString("example_json"), Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
