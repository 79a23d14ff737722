package dev.herald.store;

/** A validated event to publish; {@code data} is its JSON text, as it will be sent. */
public record NewEvent(String id, String type, String data) {
}
