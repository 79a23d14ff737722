package dev.herald.store;

/**
 * A validated event to publish; {@code data} is its JSON text, as it will be sent. {@code orderingKey} is null when
 * the event has none.
 */
public record NewEvent(String id, String type, String data, String orderingKey) {
    public NewEvent(String id, String type, String data) {
        this(id, type, data, null);
    }
}
