package dev.herald.store;

import java.time.Instant;

/** One HTTP attempt of a delivery: {@code statusCode} is null when no answer came (network error, timeout). */
public record Attempt(int n, Instant at, Integer statusCode, long durationMs, String error, String responseBody) {
}
