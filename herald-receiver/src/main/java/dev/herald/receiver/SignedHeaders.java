package dev.herald.receiver;

import dev.herald.receiver.WebhookVerificationException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three signed headers of one request, looked up by name ignoring case, each under its Standard Webhooks name
 * ({@code webhook-id}) or, when that is absent, Herald's older name ({@code X-Webhook-Delivery}).
 */
final class SignedHeaders {
    static final String ID = "webhook-id";
    static final String TIMESTAMP = "webhook-timestamp";
    static final String SIGNATURE = "webhook-signature";

    final String id;
    final String timestamp;
    final String signature;

    private SignedHeaders(String id, String timestamp, String signature) {
        this.id = id;
        this.timestamp = timestamp;
        this.signature = signature;
    }

    static SignedHeaders of(Map<String, ?> headers) throws WebhookVerificationException {
        String id = first(headers, ID, "X-Webhook-Delivery");
        String timestamp = first(headers, TIMESTAMP, "X-Webhook-Timestamp");
        // why: a proxy may split one header into several lines; every signature in them counts
        String signature = String.join(" ", values(headers, SIGNATURE, "X-Webhook-Signature"));
        return new SignedHeaders(id, timestamp, signature);
    }

    private static String first(Map<String, ?> headers, String name, String fallback) throws WebhookVerificationException {
        String value = values(headers, name, fallback).get(0).trim();
        if (value.isEmpty()) {
            throw new WebhookVerificationException(Reason.MALFORMED_HEADER, "malformed header " + name + ": it is empty");
        }
        return value;
    }

    private static List<String> values(Map<String, ?> headers, String name, String fallback) throws WebhookVerificationException {
        List<String> values = valuesOf(headers, name);
        if (values.isEmpty()) {
            values = valuesOf(headers, fallback);
        }
        if (values.isEmpty()) {
            throw new WebhookVerificationException(Reason.MISSING_HEADER, "missing header " + name + " (nor " + fallback
                    + "): Herald sends it on every request; pass all the request's headers, or check that no proxy"
                    + " in between drops it");
        }
        return values;
    }

    /** Every value of header {@code name}, whatever the case of the map's keys. */
    private static List<String> valuesOf(Map<String, ?> headers, String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ?> e : headers.entrySet()) {
            // why: HttpURLConnection's header map holds the status line under a null key
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                addValues(out, name, e.getValue());
            }
        }
        return out;
    }

    private static void addValues(List<String> out, String name, Object value) {
        if (value instanceof CharSequence) {
            out.add(value.toString());
        } else if (value instanceof Iterable<?> many) {
            for (Object v : many) {
                addValues(out, name, v);
            }
        } else if (value instanceof String[] many) {
            for (String v : many) {
                addValues(out, name, v);
            }
        } else if (value != null) {
            throw new IllegalArgumentException("header " + name + " has a value of type " + value.getClass().getName()
                    + "; pass header values as a String, a List<String> or a String[]");
        }
    }
}
