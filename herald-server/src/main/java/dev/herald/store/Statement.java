package dev.herald.store;

/** A statement put together from filters, and its parameters in order; tests read its query plan. */
record Statement(String sql, Object... params) {
}
