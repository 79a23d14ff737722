package dev.herald.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Herald's OpenTelemetry traces: a span per publish, per sealing and per delivery attempt, exported over OTLP/HTTP
 * (batched, in the background) when {@code HERALD_OTEL_ENDPOINT} is set. Off, no SDK object exists: the no-op API
 * stands in, and every caller asks {@link #on()} first, so an attempt allocates nothing for tracing.
 *
 * <p>Spans are linked across time and nodes through the W3C {@code traceparent} of the span that caused a row, kept
 * in {@code events.traceparent} and {@code deliveries.traceparent}: an attempt made minutes later, by any node, links
 * to the publish (or the seal) its delivery came from.
 *
 * <p>Attributes are ids, counts, status codes and kinds only: never a secret, a body or a header's value.
 */
public final class Tracing implements AutoCloseable {
    public static final AttributeKey<String> TENANT_ID = AttributeKey.stringKey("herald.tenant.id");
    public static final AttributeKey<String> ENDPOINT_ID = AttributeKey.stringKey("herald.endpoint.id");
    public static final AttributeKey<String> DELIVERY_ID = AttributeKey.stringKey("herald.delivery.id");
    public static final AttributeKey<Long> EVENT_COUNT = AttributeKey.longKey("herald.event.count");
    public static final AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey("herald.delivery.count");
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("herald.attempt.number");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("herald.delivery.outcome");
    public static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** How long a stop waits for the last spans to be exported. */
    static final Duration FLUSH_AT_CLOSE = Duration.ofSeconds(5);
    /** The path OTLP/HTTP receivers take traces at, added to an endpoint given without it. */
    static final String TRACES_PATH = "/v1/traces";

    private static final Tracing OFF = new Tracing(null, OpenTelemetry.noop().getTracer("herald"));

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final boolean on;

    private Tracing(SdkTracerProvider provider, Tracer tracer) {
        this.provider = provider;
        this.tracer = tracer;
        this.on = provider != null;
    }

    /** Tracing off: the no-op API, no SDK object. */
    public static Tracing off() {
        return OFF;
    }

    /** Exports to {@code endpoint} (an OTLP/HTTP base URL, or the full {@code …/v1/traces} URL); off when empty. */
    public static Tracing start(Optional<String> endpoint) {
        if (endpoint.isEmpty()) {
            return OFF;
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(tracesUrl(endpoint.get()))
                // why: the exporter's own metrics would go to the global OpenTelemetry, which Herald does not set up
                .setMeterProvider(MeterProvider::noop)
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), "herald"))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMeterProvider(MeterProvider::noop).build())
                .build();
        return new Tracing(provider, provider.get("dev.herald"));
    }

    /** {@code endpoint} with {@code /v1/traces} added, unless it already ends so. */
    static String tracesUrl(String endpoint) {
        String path = URI.create(endpoint).getRawPath();
        if (path != null && path.endsWith(TRACES_PATH)) {
            return endpoint;
        }
        return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + TRACES_PATH;
    }

    /** Whether spans are recorded and exported; when false, callers skip tracing altogether. */
    public boolean on() {
        return on;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The W3C {@code traceparent} of a span, to store with what it caused. */
    public static String traceparent(Span span) {
        SpanContext c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    /** The span context a stored or received {@code traceparent} names; invalid when it is null or malformed. */
    public static SpanContext spanContext(String traceparent) {
        return Span.fromContext(parent(traceparent)).getSpanContext();
    }

    /** A context holding the remote parent a {@code traceparent} names (the root context when null or malformed). */
    public static Context parent(String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, ONE_HEADER);
    }

    /** Reads the one {@code traceparent} value it is given as the carrier. */
    private static final TextMapGetter<String> ONE_HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /** Exports the spans still waiting, then stops. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(FLUSH_AT_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
