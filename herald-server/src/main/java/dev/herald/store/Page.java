package dev.herald.store;

import java.util.List;
import java.util.function.Function;

/** One page of a list, and the key to continue after its last item (null on the last page). */
public record Page<T>(List<T> items, String nextKey) {

    /** Builds a page from up to {@code limit + 1} rows: the extra row only says that more follow. */
    static <T> Page<T> of(List<T> rows, int limit, Function<T, String> key) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, limit);
        return new Page<>(List.copyOf(items), key.apply(items.getLast()));
    }
}
