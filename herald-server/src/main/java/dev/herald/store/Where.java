package dev.herald.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The FROM and WHERE clauses of a list query, put together from the list's filters: each filter is one
 * condition with its parameters, and a filter that was not given (its value is null) is left out. Keeps a list
 * query one readable statement as its filters grow, instead of an {@code if} per filter around string appends.
 */
final class Where {
    private final String from;
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    private Where(String from, Object... fromParams) {
        this.from = from;
        params.addAll(List.of(fromParams));
    }

    /** Rows of {@code source} (a table, or a join whose parameters are {@code params}). */
    static Where from(String source, Object... params) {
        return new Where(source, params);
    }

    /** A condition that always applies, with its parameters in order. */
    Where and(String condition, Object... values) {
        conditions.add(condition);
        params.addAll(List.of(values));
        return this;
    }

    /** {@code condition} (which holds one {@code ?}) with {@code value}, or nothing when {@code value} is null. */
    Where andIf(String condition, Object value) {
        return value == null ? this : and(condition, value);
    }

    /** {@code " FROM source WHERE a AND b"}. */
    String sql() {
        return " FROM " + from + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
    }

    /** The parameters of the source and every condition, followed by {@code more} (those of the rest of the statement). */
    Object[] params(Object... more) {
        List<Object> all = new ArrayList<>(params);
        all.addAll(List.of(more));
        return all.toArray();
    }
}
