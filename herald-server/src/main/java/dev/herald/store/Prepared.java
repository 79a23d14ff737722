package dev.herald.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Statements prepared once and reused for every row of one transaction: the hot paths (publishing,
 * sealing, claiming, recording) run the same few statements hundreds of times per transaction.
 */
final class Prepared implements AutoCloseable {
    private final Connection c;
    /** In first-use order: {@link #flush} runs batches in that order, so parent rows precede their children. */
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();

    Prepared(Connection c) {
        this.c = c;
    }

    private PreparedStatement statement(String sql, Object... params) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = c.prepareStatement(sql);
            statements.put(sql, ps);
        }
        Sql.bind(ps, params);
        return ps;
    }

    int update(String sql, Object... params) throws SQLException {
        return statement(sql, params).executeUpdate();
    }

    /** Queues a row for {@link #flush}: one round trip for many rows where the driver supports it. */
    void batch(String sql, Object... params) throws SQLException {
        statement(sql, params).addBatch();
    }

    /**
     * Runs {@code sql} once for each of {@code rows}, in one batch (one round trip on PostgreSQL), and answers how
     * many rows each run changed, in the order of {@code rows}.
     */
    int[] updateEach(String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return new int[0];
        }
        PreparedStatement ps = null;
        for (Object[] params : rows) {
            ps = statement(sql, params);
            ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        for (int n : counts) {
            if (n < 0) {
                // why: callers fence on these counts; a driver that does not report them must not pass for "written"
                throw new SQLException("the JDBC driver gave no update count for a batched statement (" + n + ")");
            }
        }
        return counts;
    }

    /** Runs every queued batch, in the order their statements were first used. */
    void flush() throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.executeBatch();
        }
    }

    <T> List<T> list(String sql, Sql.Row<T> row, Object... params) throws SQLException {
        return Sql.rows(statement(sql, params), row);
    }

    <T> Optional<T> one(String sql, Sql.Row<T> row, Object... params) throws SQLException {
        return Sql.single(list(sql, row, params), sql);
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.close();
        }
    }
}
