package dev.herald.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a tenant configures on an endpoint, validated ({@link EndpointValidator}). */
public record EndpointSpec(
        String url,
        String description,
        List<String> eventTypes,
        Format format,
        Batching batch,
        RetryPolicy retry,
        Map<String, String> headers,
        TlsSettings tls,
        Duration timeout,
        int maxConcurrency,
        Integer rateLimitPerS,
        Ordering ordering,
        Status status) {

    public enum Format {
        BATCH, EVENT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether deliveries of one ordering key go out one at a time, in publish order ({@code key}), or freely. */
    public enum Ordering {
        NONE, KEY;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Status {
        ACTIVE, PAUSED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Seal a batch when {@code maxEvents} wait, or {@code window} after the previous seal. */
    public record Batching(int maxEvents, Duration window) {
        public static final int DEFAULT_MAX_EVENTS = 100;
        public static final int MAX_MAX_EVENTS = 1000;
        public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);

        public static Batching defaults() {
            return new Batching(DEFAULT_MAX_EVENTS, DEFAULT_WINDOW);
        }
    }

    /** The client certificate and key presented to the endpoint (mTLS), and extra CAs trusted for it. */
    public record TlsSettings(String clientCertificate, String clientKey, String caCertificates) {
    }

    /** Whether this endpoint receives events of {@code type} ({@link Subscription}: no types means every type). */
    public boolean subscribes(String type) {
        return Subscription.of(eventTypes).matches(type);
    }

    public EndpointSpec withStatus(Status newStatus) {
        return new EndpointSpec(url, description, eventTypes, format, batch, retry, headers, tls, timeout, maxConcurrency,
                rateLimitPerS, ordering, newStatus);
    }
}
