package dev.herald.api;

import dev.herald.batching.DeliveryBodies;
import dev.herald.catalog.Catalog;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.json.Json;
import dev.herald.store.EventType;
import dev.herald.store.Page;
import dev.herald.store.QueuedEvent;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import dev.herald.validation.Unicode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What a test-send sends: one event, whose type and data come from the request or, when it leaves them out, from
 * the event catalogue's examples; and the body the endpoint receives, in its format, as a real delivery would be.
 *
 * <p>The default type: the first exact name in the endpoint's {@code event_types} (in its order) whose catalogue
 * entry has an example; failing that (an endpoint subscribed to every type, or by {@code prefix.*} patterns), the
 * first type of the catalogue, by name, that the endpoint subscribes to and that has an example.
 */
final class TestEvents {
    /** The test event: {@code test_} and a random UUID, so it can never be taken for a tenant's event. */
    record TestEvent(String id, String type, String data) {
    }

    private static final int CATALOGUE_PAGE = 500;

    private final Catalog types;

    TestEvents(Catalog types) {
        this.types = types;
    }

    /** Reads {@code {type?, data?}} and fills in what is missing; a 422 naming the field when that cannot be done. */
    TestEvent read(Endpoint endpoint, JsonNode body) {
        Fields f = Fields.of(body, "").only("type", "data");
        String data = f.has("data") ? data(f) : null;
        String type;
        if (f.has("type")) {
            type = f.requiredString("type");
            if (!types.unknown(List.of(type)).isEmpty()) {
                throw new Invalid("type", "names the unknown event type " + type + "; name a type of GET /v1/event-types,"
                        + " or create it first with POST /v1/event-types");
            }
        } else if (data != null) {
            type = firstExact(endpoint.spec()).orElseThrow(() -> new Invalid("type",
                    "is required with data when the endpoint subscribes to no type by its exact name; name the type to send"));
        } else {
            type = withExample(endpoint.spec()).orElseThrow(() -> new Invalid("type", "could not be chosen: no event type"
                    + " this endpoint subscribes to has an example in the catalogue; send type and data, or add an example"
                    + " to one of its types (PATCH /v1/event-types/{name})"));
        }
        if (data == null) {
            String example = example(type).orElseThrow(() -> new Invalid("data", "is required: event type " + type
                    + " has no example in the catalogue; send data (a JSON object), or add an example to the type"));
            data = example(type, example);
        }
        return new TestEvent("test_" + UUID.randomUUID(), type, data);
    }

    /** The body the endpoint receives: {@code {event, data, delivery_key}} or a batch of one. */
    static byte[] body(Endpoint endpoint, String deliveryId, TestEvent event, Instant now) {
        // why: seq 0 belongs to no event; bodies never show it
        QueuedEvent e = new QueuedEvent(0, event.id(), event.type(), event.data(), now);
        return endpoint.spec().format() == EndpointSpec.Format.EVENT
                ? DeliveryBodies.event(deliveryId, e)
                : DeliveryBodies.batch(deliveryId, now, List.of(e));
    }

    /** The {@code X-Webhook-Event} value: the type, or {@code batch}. */
    static String eventHeader(Endpoint endpoint, TestEvent event) {
        return endpoint.spec().format() == EndpointSpec.Format.EVENT ? event.type() : "batch";
    }

    private static String data(Fields f) {
        JsonNode data = f.raw("data");
        if (!data.isObject()) {
            throw new Invalid("data", "must be a JSON object, as a published event's data");
        }
        Unicode.checkTree(data, "data");
        return Json.write(data);
    }

    private static Optional<String> firstExact(EndpointSpec spec) {
        return spec.eventTypes().stream().filter(t -> !t.contains("*")).findFirst();
    }

    private Optional<String> withExample(EndpointSpec spec) {
        for (String t : spec.eventTypes()) {
            if (!t.contains("*") && example(t).isPresent()) {
                return Optional.of(t);
            }
        }
        String after = "";
        Page<EventType> page;
        do {
            page = types.list(after, CATALOGUE_PAGE);
            for (EventType t : page.items()) {
                if (t.example() != null && spec.subscribes(t.name())) {
                    return Optional.of(t.name());
                }
            }
            after = page.nextKey();
        } while (after != null);
        return Optional.empty();
    }

    private Optional<String> example(String type) {
        return types.get(type).map(EventType::example);
    }

    /** The catalogue's example as a test event's data: it must be a JSON object, as published data is. */
    private static String example(String type, String example) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(example);
        } catch (JacksonException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("data", "is required: the catalogue's example of " + type + " is not a JSON object;"
                    + " send data (a JSON object), or correct the type's example");
        }
        return Json.write(node);
    }
}
