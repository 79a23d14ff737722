package dev.herald.ingest;

import dev.herald.catalog.Catalog;
import dev.herald.catalog.Schemas.Violation;
import dev.herald.json.Json;
import dev.herald.store.EventStore;
import dev.herald.store.Ids;
import dev.herald.store.NewEvent;
import dev.herald.store.Published;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import dev.herald.validation.Unicode;
import io.micrometer.core.instrument.Counter;
import dev.herald.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The first step of the data flow: validates what a publisher sends (fields, a known type, and the type's schema when
 * it has one) and stores it with its queue rows. A publish is acknowledged only after that transaction has committed.
 */
public final class Publisher implements AutoCloseable {
    public static final int MAX_BULK_EVENTS = 1000;
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final GroupCommit events;
    private final Catalog catalog;
    private final Clock clock;
    private final Counter ingested;
    private final Consumer<Set<String>> onPublished;
    private final Tracing tracing;

    /**
     * @param onPublished told after each commit, with the endpoints whose per-event deliveries the publish sealed: the
     *                    dispatcher fills those endpoints' lanes and the batcher wakes, neither waiting for a poll
     */
    public Publisher(EventStore events, Catalog catalog, Clock clock, MeterRegistry metrics, Consumer<Set<String>> onPublished) {
        this(events, catalog, clock, metrics, onPublished, Tracing.off());
    }

    /** @param tracing records a span per publish, continuing the publisher's {@code traceparent} */
    public Publisher(EventStore events, Catalog catalog, Clock clock, MeterRegistry metrics,
                     Consumer<Set<String>> onPublished, Tracing tracing) {
        this.tracing = tracing;
        this.events = new GroupCommit(events);
        this.catalog = catalog;
        this.clock = clock;
        this.ingested = Counter.builder("herald.events.ingested").description("Events stored and acknowledged")
                .register(metrics);
        this.onPublished = onPublished;
    }

    /** An event as validated, with its {@code data} still parsed, for the schema check. */
    private record Parsed(NewEvent event, JsonNode data) {
    }

    public Published publish(String tenantId, JsonNode body) {
        return publish(tenantId, body, null);
    }

    /** @param traceparent the W3C {@code traceparent} the publisher sent (null: none), continued by the publish's span */
    public Published publish(String tenantId, JsonNode body, String traceparent) {
        return traced(tenantId, traceparent, span -> store(tenantId, List.of(event(body, "")), "", span).getFirst());
    }

    public List<Published> publishBulk(String tenantId, JsonNode body) {
        return publishBulk(tenantId, body, null);
    }

    /** @param traceparent as for {@link #publish(String, JsonNode, String)} */
    public List<Published> publishBulk(String tenantId, JsonNode body, String traceparent) {
        return traced(tenantId, traceparent, span -> bulk(tenantId, body, span));
    }

    /** Runs {@code publish} in the publish's span (null while tracing is off), which records a failure and ends. */
    private <T> T traced(String tenantId, String traceparent, Function<Span, T> publish) {
        Span span = startSpan(tenantId, traceparent);
        try {
            return publish.apply(span);
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    /** The publish's span, a child of the publisher's trace when it sent one; null while tracing is off. */
    private Span startSpan(String tenantId, String traceparent) {
        if (!tracing.on()) {
            return null;
        }
        return tracing.tracer().spanBuilder("publish").setSpanKind(SpanKind.SERVER)
                .setParent(Tracing.parent(traceparent))
                .setAttribute(Tracing.TENANT_ID, tenantId)
                .startSpan();
    }

    /** Marks the span failed with the kind of error only: an invalid publish's message may quote its data. */
    private static void failed(Span span, RuntimeException e) {
        if (span != null) {
            span.setAttribute(Tracing.ERROR_TYPE, e instanceof Invalid ? "invalid" : e.getClass().getSimpleName());
            span.setStatus(StatusCode.ERROR);
        }
    }

    private List<Published> bulk(String tenantId, JsonNode body, Span span) {
        JsonNode list = Fields.of(body, "").only("events").raw("events");
        if (list == null || !list.isArray()) {
            throw new Invalid("events", "is required: an array of 1 to " + MAX_BULK_EVENTS + " events");
        }
        if (list.isEmpty() || list.size() > MAX_BULK_EVENTS) {
            throw new Invalid("events", "must hold 1 to " + MAX_BULK_EVENTS + " events, has " + list.size());
        }
        List<Parsed> parsed = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            parsed.add(event(list.get(i), Fields.index("events", i)));
        }
        return store(tenantId, parsed, "events", span);
    }

    /** @param listField the field holding the events ("events"), or "" for a single event */
    private List<Published> store(String tenantId, List<Parsed> parsed, String listField, Span span) {
        if (span != null) {
            span.setAttribute(Tracing.EVENT_COUNT, parsed.size());
        }
        Set<String> distinctTypes = new LinkedHashSet<>();
        parsed.forEach(p -> distinctTypes.add(p.event().type()));
        List<String> unknown = catalog.unknown(distinctTypes);
        if (!unknown.isEmpty()) {
            int i = 0;
            while (!unknown.contains(parsed.get(i).event().type())) {
                i++;
            }
            throw new Invalid(path(listField, i) + "type", "names the unknown event type " + parsed.get(i).event().type()
                    + "; create it first with POST /v1/event-types");
        }
        // why: while no type has a schema, a publish costs what it did before schemas existed
        if (catalog.validates()) {
            for (int i = 0; i < parsed.size(); i++) {
                Optional<Violation> v = catalog.violation(parsed.get(i).event().type(), parsed.get(i).data());
                if (v.isPresent()) {
                    throw new Invalid(path(listField, i) + "data" + v.get().pointer(), v.get().rule());
                }
            }
        }
        List<NewEvent> events = new ArrayList<>(parsed.size());
        parsed.forEach(p -> events.add(p.event()));
        EventStore.Stored stored = this.events.publish(tenantId, events, clock.instant(),
                span == null ? null : Tracing.traceparent(span));
        List<Published> out = stored.events();
        ingested.increment(out.stream().filter(p -> !p.repeated()).count());
        onPublished.accept(stored.sealedFor());
        return out;
    }

    /** Where event {@code i}'s fields are: "" for a single event, "events[3]." in a bulk. */
    private static String path(String listField, int i) {
        return listField.isEmpty() ? "" : Fields.index(listField, i) + ".";
    }

    /** Stores what is waiting, then takes no more publishes. */
    @Override
    public void close() {
        events.close();
    }

    private Parsed event(JsonNode node, String path) {
        Fields f = Fields.of(node, path).only("id", "type", "data", "ordering_key");
        String id = f.has("id") ? f.requiredString("id", EVENT_ID, "must be 1 to 255 visible ASCII characters") : Ids.uuid7(clock);
        String orderingKey = f.has("ordering_key")
                ? f.requiredString("ordering_key", EVENT_ID, "must be 1 to 255 visible ASCII characters") : null;
        String type = f.requiredString("type");
        JsonNode data = f.raw("data");
        if (data == null || !data.isObject()) {
            throw new Invalid(f.path("data"), "is required: a JSON object");
        }
        Unicode.checkTree(data, f.path("data"));
        return new Parsed(new NewEvent(id, type, Json.write(data), orderingKey), data);
    }
}
