package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Publishing an event of a type with a schema: each broken rule is a 422 naming the event, the pointer and the rule. */
class SchemaValidationTest {
    private static final String SCHEMA = """
            {"type": "object", "required": ["amount", "status"], "additionalProperties": false,
             "properties": {
               "amount": {"type": "integer", "minimum": 0, "maximum": 1000},
               "status": {"enum": ["paid", "refunded"]},
               "note": {"type": ["string", "null"], "maxLength": 5},
               "items": {"type": "array", "items": {"type": "object", "required": ["price"],
                         "properties": {"price": {"type": "number", "exclusiveMinimum": 0}}}},
               "a/b~c": {"type": "string"}}}""";
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("sv", "sv.plain");
        assertThat(h.post("/v1/event-types", "{\"name\":\"sv.order\",\"schema\":" + SCHEMA + "}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static long events(String type) {
        return h.herald().database().read(c -> {
            try (var s = c.prepareStatement("SELECT COUNT(*) FROM events WHERE tenant_id = 'sv' AND type = ?")) {
                s.setString(1, type);
                try (var rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            type                  | {"amount": "12", "status": "paid"}                                   | data/amount     | must be an integer, not a string
            integer, not a number | {"amount": 1.5, "status": "paid"}                                    | data/amount     | must be an integer, not a number
            union type            | {"amount": 1, "status": "paid", "note": 7}                           | data/note       | must be a string or null, not an integer
            required              | {"status": "paid"}                                                   | data/amount     | is required
            enum                  | {"amount": 1, "status": "lost"}                                      | data/status     | must be one of ["paid","refunded"]
            maximum               | {"amount": 1001, "status": "paid"}                                   | data/amount     | must be at most 1000
            minimum               | {"amount": -1, "status": "paid"}                                     | data/amount     | must be at least 0
            exclusiveMinimum      | {"amount": 1, "status": "paid", "items": [{"price": 0}]}             | data/items/0/price | must be greater than 0
            maxLength             | {"amount": 1, "status": "paid", "note": "too long"}                  | data/note       | must be at most 5 characters long
            additionalProperties  | {"amount": 1, "status": "paid", "extra": true}                       | data/extra      | is not allowed: the schema allows no other properties here
            nested pointer        | {"amount": 1, "status": "paid", "items": [{"price": 1}, {"price": 2}, {"price": "3"}]} | data/items/2/price | must be a number, not a string
            nested required       | {"amount": 1, "status": "paid", "items": [{}]}                       | data/items/0/price | is required
            escaped pointer       | {"amount": 1, "status": "paid", "a/b~c": 1}                          | data/a~1b~0c    | must be a string, not an integer
            """)
    void aSinglePublishNamesThePointerAndTheRule(String rule, String data, String field, String message) {
        var r = h.post("/v1/tenants/sv/events", "{\"type\":\"sv.order\",\"data\":" + data + "}");

        assertInvalid(r, field);
        assertThat(r.json().get("detail").stringValue()).isEqualTo(field + ": " + message);
    }

    @Test
    void validDataIsAcceptedAndStoredAsSent() {
        var r = h.post("/v1/tenants/sv/events", "{\"id\":\"sv-ok\",\"type\":\"sv.order\",\"data\":"
                + "{\"amount\": 10, \"status\": \"paid\", \"note\": null, \"items\": [{\"price\": 0.10}]}}");
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        assertThat(h.post("/v1/tenants/sv/events", "{\"type\":\"sv.order\",\"data\":{\"amount\": 3.0, \"status\": \"paid\"}}")
                .status()).as("3.0 is an integer in JSON Schema").isEqualTo(202);
        assertThat(h.post("/v1/tenants/sv/events", "{\"type\":\"sv.plain\",\"data\":{\"anything\": [1, \"x\"]}}").status())
                .as("a type without a schema takes any data").isEqualTo(202);
    }

    @Test
    void aBulkWithOneFailingEventInTheMiddleNamesItAndStoresNothing() {
        long before = events("sv.order") + events("sv.plain");
        String ok = "{\"type\":\"sv.order\",\"data\":{\"amount\":1,\"status\":\"paid\"}}";
        String plain = "{\"type\":\"sv.plain\",\"data\":{\"amount\":\"anything\"}}";
        String bad = "{\"type\":\"sv.order\",\"data\":{\"amount\":1,\"status\":\"paid\",\"items\":[{\"price\":1},{\"price\":1},"
                + "{\"price\":-5}]}}";

        var r = h.post("/v1/tenants/sv/events/bulk", "{\"events\":[" + ok + "," + plain + "," + ok + "," + bad + "," + ok + "]}");

        assertInvalid(r, "events[3].data/items/2/price");
        assertThat(r.json().get("detail").stringValue()).isEqualTo("events[3].data/items/2/price: must be greater than 0");
        assertThat(events("sv.order") + events("sv.plain")).isEqualTo(before);

        var amount = h.post("/v1/tenants/sv/events/bulk", "{\"events\":[" + ok + ",{\"type\":\"sv.order\",\"data\":"
                + "{\"amount\":\"x\",\"status\":\"paid\"}}]}");
        assertThat(amount.json().get("detail").stringValue()).isEqualTo("events[1].data/amount: must be an integer, not a string");
        assertThat(events("sv.order") + events("sv.plain")).isEqualTo(before);
    }
}
