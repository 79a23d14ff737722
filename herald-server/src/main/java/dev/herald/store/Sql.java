package dev.herald.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plain JDBC with positional parameters: the store's SQL stays readable as SQL. */
final class Sql {
    private Sql() {
    }

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return rows(ps, row);
        }
    }

    /** Runs the bound query and maps every row. */
    static <T> List<T> rows(PreparedStatement ps, Row<T> row) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        }
    }

    /** Runs the query and hands every row to {@code row}: for aggregates folded as they are read. */
    static void each(Connection c, String sql, Row<?> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.map(rs);
                }
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        return single(list(c, sql, row, params), sql);
    }

    /** The only row of a query by a unique key, if any. */
    static <T> Optional<T> single(List<T> rows, String sql) {
        if (rows.size() > 1) {
            throw new IllegalStateException("Query returned " + rows.size() + " rows where at most one was expected. "
                    + "Should never happen: it selects by a unique key. SQL: " + sql);
        }
        return rows.stream().findFirst();
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (p instanceof Long n) {
                ps.setLong(i + 1, n);
            } else if (p instanceof String s) {
                ps.setString(i + 1, s);
            } else if (p instanceof byte[] b) {
                ps.setBytes(i + 1, b);
            } else if (p instanceof Boolean b) {
                ps.setBoolean(i + 1, b);
            } else {
                throw new IllegalArgumentException("Unsupported SQL parameter type " + p.getClass().getName()
                        + ". Should never happen: the store binds only numbers, strings and bytes.");
            }
        }
    }

    /** A nullable INTEGER column as {@code Integer}. */
    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    /** A nullable BIGINT column as {@code Long}. */
    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
