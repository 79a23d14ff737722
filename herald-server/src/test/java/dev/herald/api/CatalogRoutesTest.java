package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static dev.herald.api.ApiAssertions.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The event catalogue over HTTP: every route, every refusal, and who may call what. */
class CatalogRoutesTest {
    static final String ORDER_SCHEMA = """
            {"type": "object", "required": ["amount"], "additionalProperties": false,
             "properties": {"amount": {"type": "integer", "maximum": 1000}, "currency": {"enum": ["EUR", "USD"]}}}""";
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed("cat");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static TestHerald.Response create(String name, String fields) {
        return h.post("/v1/event-types", "{\"name\":" + quote(name) + (fields.isEmpty() ? "" : "," + fields) + "}");
    }

    @Test
    void aTypeIsCreatedWithItsSchemaAndExampleAndReadByName() {
        var created = create("cat.order.paid", "\"description\":\"An order was paid\",\"schema\":" + ORDER_SCHEMA
                + ",\"example\":{\"amount\":12,\"currency\":\"EUR\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode t = created.json();
        assertThat(t.get("name").stringValue()).isEqualTo("cat.order.paid");
        assertThat(t.get("description").stringValue()).isEqualTo("An order was paid");
        assertThat(t.get("schema")).isEqualTo(Json.parse(ORDER_SCHEMA));
        assertThat(t.get("example")).isEqualTo(Json.parse("{\"amount\":12,\"currency\":\"EUR\"}"));
        assertThat(t.get("updated_at").stringValue()).isEqualTo(t.get("created_at").stringValue());

        var read = h.get("/v1/event-types/cat.order.paid");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json()).isEqualTo(t);
        JsonNode listed = h.get("/v1/event-types?limit=250").json().get("data").valueStream()
                .filter(n -> n.get("name").stringValue().equals("cat.order.paid")).findFirst().orElseThrow();
        assertThat(listed).isEqualTo(t);
        assertProblem(create("cat.order.paid", ""), 409);
    }

    @Test
    void aTypeWithoutSchemaShowsNulls() {
        var created = create("cat.plain", "");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("description").stringValue()).isEmpty();
        assertThat(created.json().get("schema").isNull()).isTrue();
        assertThat(created.json().get("example").isNull()).isTrue();
        assertThat(create("cat.with-example", "\"example\":{\"any\":[1,2]}").json().get("example"))
                .as("an example needs no schema").isEqualTo(Json.parse("{\"any\":[1,2]}"));
    }

    @Test
    void anUnknownTypeIs404OnEveryRoute() {
        assertProblem(h.get("/v1/event-types/cat.nothing"), 404);
        assertProblem(h.patch("/v1/event-types/cat.nothing", "{\"description\":\"x\"}"), 404);
        assertProblem(h.delete("/v1/event-types/cat.nothing"), 404);
    }

    @Test
    void aSchemaThatIsNotJsonSchemaIs422NamingWhereAndWhy() {
        var badType = create("cat.bad", "\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"invalidtype\"}}}");
        assertInvalid(badType, "schema/properties/a/type");
        assertThat(badType.json().get("detail").stringValue()).isEqualTo("schema/properties/a/type: must be one of"
                + " [\"array\",\"boolean\",\"integer\",\"null\",\"number\",\"object\",\"string\"] (the schema is not valid JSON"
                + " Schema, draft 2020-12)");

        assertInvalid(create("cat.bad", "\"schema\":{\"required\":\"amount\"}"), "schema/required");
        assertInvalid(create("cat.bad", "\"schema\":{\"minimum\":\"zero\"}"), "schema/minimum");
        assertInvalid(create("cat.bad", "\"schema\":{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}"), "schema/$schema");
        assertInvalid(create("cat.bad", "\"schema\":7"), "schema");
        assertInvalid(create("cat.bad", "\"schema\":true"), "schema");

        var badRegex = create("cat.bad", "\"schema\":{\"properties\":{\"code\":{\"pattern\":\"(\"}}}");
        assertInvalid(badRegex, "schema");
        assertThat(badRegex.json().get("detail").stringValue()).contains("Unclosed group");

        var missingRef = create("cat.bad", "\"schema\":{\"properties\":{\"a\":{\"$ref\":\"#/$defs/missing\"}}}");
        assertInvalid(missingRef, "schema/properties/a/$ref");
        assertThat(missingRef.json().get("detail").stringValue()).contains("#/$defs/missing, which is not in the schema");
        for (String unresolved : List.of("{\"$ref\":\"#nowhere\"}", "{\"properties\":{\"enum\":{\"$ref\":\"#/nope\"}}}")) {
            var r = create("cat.bad", "\"schema\":" + unresolved);
            assertInvalid(r, "schema");
            assertThat(r.json().get("detail").stringValue()).as(unresolved).contains("$ref");
        }
        for (String outside : List.of("https://example.com/schema.json", "classpath:logback.xml", "file:///etc/passwd")) {
            var r = create("cat.bad", "\"schema\":{\"$ref\":" + quote(outside) + "}");
            assertInvalid(r, "schema");
            assertThat(r.json().get("detail").stringValue()).as("nothing is fetched").contains("not allowed to be loaded");
        }
        assertProblem(h.get("/v1/event-types/cat.bad"), 404);
    }

    @Test
    void aSchemaMayReferToItselfAndToTheDraft() {
        var r = create("cat.refs", "\"schema\":{\"$defs\":{\"money\":{\"type\":\"integer\"},\"a b\":{\"type\":\"string\"}},"
                + "\"properties\":{\"amount\":{\"$ref\":\"#/$defs/money\"},\"label\":{\"$ref\":\"#/$defs/a%20b\"},"
                + "\"tree\":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#/properties/tree\"}},"
                + "\"fixed\":{\"const\":{\"$ref\":\"#/not/a/schema\"}},"
                + "\"meta\":{\"$ref\":\"https://json-schema.org/draft/2020-12/schema\"}}},"
                + "\"example\":{\"amount\":1,\"label\":\"x\",\"tree\":{\"a\":{\"b\":{}}},\"meta\":{\"type\":\"string\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertInvalid(h.post("/v1/tenants/cat/events", "{\"type\":\"cat.refs\",\"data\":{\"tree\":{\"a\":{\"b\":7}}}}"),
                "data/tree/a/b");
        assertInvalid(h.post("/v1/tenants/cat/events", "{\"type\":\"cat.refs\",\"data\":{\"label\":7}}"), "data/label");
    }

    @Test
    void aReferenceTheLibraryResolvesOnlyWhenDataReachesItIsA422NotA500() {
        // why: the library resolves a nested $dynamicRef lazily, so this schema is accepted; publishing must still answer
        // the publisher with a 422 naming the problem, never a 500
        assertThat(create("cat.lazy", "\"schema\":{\"properties\":{\"x\":{\"$dynamicRef\":\"#missing\"}}}").status())
                .isEqualTo(201);
        assertThat(h.post("/v1/tenants/cat/events", "{\"type\":\"cat.lazy\",\"data\":{\"y\":1}}").status()).isEqualTo(202);
        var r = h.post("/v1/tenants/cat/events", "{\"type\":\"cat.lazy\",\"data\":{\"x\":1}}");
        assertInvalid(r, "data");
        assertThat(r.json().get("detail").stringValue()).contains("cannot be checked against the type's schema")
                .contains("cannot be resolved");
    }

    @Test
    void anExampleThatBreaksTheSchemaIs422NamingThePointerAndTheRule() {
        var r = create("cat.ex", "\"schema\":" + ORDER_SCHEMA + ",\"example\":{\"amount\":\"12\"}");
        assertInvalid(r, "example/amount");
        assertThat(r.json().get("detail").stringValue()).isEqualTo("example/amount: must be an integer, not a string");
        assertInvalid(create("cat.ex", "\"schema\":" + ORDER_SCHEMA + ",\"example\":{}"), "example/amount");
        assertInvalid(create("cat.ex", "\"example\":[1]"), "example");
        assertProblem(h.get("/v1/event-types/cat.ex"), 404);
    }

    @Test
    void aPatchChangesWhatItNamesAndNullClears() {
        create("cat.patch", "\"description\":\"first\",\"schema\":" + ORDER_SCHEMA + ",\"example\":{\"amount\":1}");
        String created = h.get("/v1/event-types/cat.patch").json().get("created_at").stringValue();

        var described = h.patch("/v1/event-types/cat.patch", "{\"description\":\"second\"}");
        assertThat(described.status()).as(described.text()).isEqualTo(200);
        assertThat(described.json().get("description").stringValue()).isEqualTo("second");
        assertThat(described.json().get("schema")).isEqualTo(Json.parse(ORDER_SCHEMA));
        assertThat(described.json().get("created_at").stringValue()).isEqualTo(created);

        var cleared = h.patch("/v1/event-types/cat.patch", "{\"schema\":null,\"example\":null,\"description\":null}");
        assertThat(cleared.status()).as(cleared.text()).isEqualTo(200);
        assertThat(cleared.json().get("schema").isNull()).isTrue();
        assertThat(cleared.json().get("example").isNull()).isTrue();
        assertThat(cleared.json().get("description").stringValue()).isEmpty();
        assertThat(h.get("/v1/event-types/cat.patch").json()).isEqualTo(cleared.json());

        var both = h.patch("/v1/event-types/cat.patch", "{\"schema\":{\"type\":\"object\",\"required\":[\"id\"]},"
                + "\"example\":{\"id\":\"o-1\"}}");
        assertThat(both.status()).as(both.text()).isEqualTo(200);
        assertThat(both.json().get("example")).isEqualTo(Json.parse("{\"id\":\"o-1\"}"));
    }

    @Test
    void aPatchWhoseSchemaRefusesTheStoredExampleIs422AndChangesNothing() {
        create("cat.strict", "\"schema\":{\"type\":\"object\"},\"example\":{\"amount\":5}");

        var r = h.patch("/v1/event-types/cat.strict", "{\"schema\":{\"properties\":{\"amount\":{\"maximum\":3}}}}");

        assertInvalid(r, "example/amount");
        assertThat(r.json().get("detail").stringValue()).contains("must be at most 3").contains("stored example");
        assertThat(h.get("/v1/event-types/cat.strict").json().get("schema")).isEqualTo(Json.parse("{\"type\":\"object\"}"));
        assertInvalid(h.patch("/v1/event-types/cat.strict", "{\"example\":{\"amount\":\"x\"},"
                + "\"schema\":{\"properties\":{\"amount\":{\"type\":\"integer\"}}}}"), "example/amount");
        assertInvalid(h.patch("/v1/event-types/cat.strict", "{\"schema\":{\"type\":\"nothing\"}}"), "schema/type");
    }

    @Test
    void theNameCannotChange() {
        create("cat.named", "");
        var r = h.patch("/v1/event-types/cat.named", "{\"name\":\"cat.renamed\"}");
        assertInvalid(r, "name");
        assertThat(r.json().get("detail").stringValue()).contains("cannot be changed");
        assertThat(h.patch("/v1/event-types/cat.named", "{\"name\":\"cat.named\"}").status()).as("the same name is no change")
                .isEqualTo(200);
        assertInvalid(h.patch("/v1/event-types/cat.named", "{\"color\":\"red\"}"), "color");
        assertProblem(h.get("/v1/event-types/cat.renamed"), 404);
    }

    @Test
    void aDeleteIs409WhileAnEndpointSubscribesByNameAndSaysHowMany() {
        create("cat.gone.a", "");
        create("cat.gone.b", "");
        String first = endpoint("[\"cat.gone.a\", \"cat.gone.b\"]");
        String second = endpoint("[\"cat.gone.a\"]");
        endpoint("[\"cat.gone.*\"]");
        endpoint("[\"*\"]");

        var refused = h.delete("/v1/event-types/cat.gone.a");
        assertProblem(refused, 409);
        assertThat(refused.json().get("detail").stringValue()).contains("2 endpoints");
        assertThat(h.get("/v1/event-types/cat.gone.a").status()).isEqualTo(200);

        assertThat(h.patch("/v1/tenants/cat/endpoints/" + first, "{\"event_types\":[\"cat.gone.b\"]}").status()).isEqualTo(200);
        assertThat(h.delete("/v1/event-types/cat.gone.a").json().get("detail").stringValue()).contains("1 endpoint;");
        assertThat(h.delete("/v1/tenants/cat/endpoints/" + second).status()).isEqualTo(204);

        var deleted = h.delete("/v1/event-types/cat.gone.a");
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertProblem(h.get("/v1/event-types/cat.gone.a"), 404);
        var publish = h.post("/v1/tenants/cat/events", "{\"type\":\"cat.gone.a\",\"data\":{}}");
        assertInvalid(publish, "type");
        assertThat(publish.json().get("detail").stringValue()).contains("unknown event type cat.gone.a");
        assertInvalid(h.post("/v1/tenants/cat/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"event_types\":[\"cat.gone.a\"]}"),
                "event_types");
    }

    @Test
    void theCatalogueIsReadByEveryPrincipalAndWrittenByTheAdminOnly() {
        create("cat.access", "\"schema\":{\"type\":\"object\"}");
        String key = h.post("/v1/tenants/cat/keys", null).json().get("key").stringValue();
        String session = h.post("/v1/tenants/cat/portal-sessions", "{\"read_only\":true}").json().get("token").stringValue();
        for (String token : List.of(key, session)) {
            assertThat(h.send("GET", "/v1/event-types", null, token).status()).isEqualTo(200);
            var one = h.send("GET", "/v1/event-types/cat.access", null, token);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().get("schema")).isEqualTo(Json.parse("{\"type\":\"object\"}"));
        }
        assertProblem(h.send("POST", "/v1/event-types", "{\"name\":\"cat.by-key\"}", key), 403);
        assertProblem(h.send("PATCH", "/v1/event-types/cat.access", "{\"description\":\"x\"}", key), 403);
        assertProblem(h.send("DELETE", "/v1/event-types/cat.access", null, key), 403);
        assertProblem(h.send("GET", "/v1/event-types/cat.access", null, null), 401);
        assertThat(h.get("/v1/event-types/cat.access").json().get("description").stringValue()).isEmpty();
    }

    @Test
    void aChangeIsUsedByTheVeryNextPublish() {
        create("cat.live", "");
        String events = "/v1/tenants/cat/events";
        assertThat(h.post(events, "{\"type\":\"cat.live\",\"data\":{\"amount\":\"x\"}}").status()).isEqualTo(202);

        h.patch("/v1/event-types/cat.live", "{\"schema\":" + ORDER_SCHEMA + "}");
        assertInvalid(h.post(events, "{\"type\":\"cat.live\",\"data\":{\"amount\":\"x\"}}"), "data/amount");

        h.patch("/v1/event-types/cat.live", "{\"schema\":{\"properties\":{\"amount\":{\"type\":\"string\"}}}}");
        assertThat(h.post(events, "{\"type\":\"cat.live\",\"data\":{\"amount\":\"x\"}}").status()).isEqualTo(202);
        assertInvalid(h.post(events, "{\"type\":\"cat.live\",\"data\":{\"amount\":1}}"), "data/amount");

        h.patch("/v1/event-types/cat.live", "{\"schema\":null}");
        assertThat(h.post(events, "{\"type\":\"cat.live\",\"data\":{\"amount\":1}}").status()).isEqualTo(202);

        assertThat(h.delete("/v1/event-types/cat.live").status()).isEqualTo(204);
        assertInvalid(h.post(events, "{\"type\":\"cat.live\",\"data\":{}}"), "type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/type", "comma,type", "ümlaut", "star.*", "*",
            "a2345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678x"})
    void theNameRule(String name) {
        assertInvalid(create(name, ""), "name");
    }

    @Test
    void theFields() {
        assertInvalid(h.post("/v1/event-types", "{\"description\":\"\"}"), "name");
        assertInvalid(h.post("/v1/event-types", "{\"name\":7}"), "name");
        assertInvalid(create("cat.t", "\"description\":7"), "description");
        assertInvalid(create("cat.t", "\"description\":" + quote("d".repeat(1025))), "description");
        assertInvalid(create("cat.t", "\"colour\":\"red\""), "colour");
        assertThat(create("t".repeat(128), "").status()).isEqualTo(201);
        List<String> names = new ArrayList<>();
        h.get("/v1/event-types?limit=250").json().get("data").forEach(n -> names.add(n.get("name").stringValue()));
        assertThat(names).doesNotHaveDuplicates().isSorted();
    }

    private static String endpoint(String types) {
        var r = h.post("/v1/tenants/cat/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"event_types\":" + types + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }
}
