package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document ({@code /openapi.json}) against the route table the server registered: every route is
 * documented with its access and exactly the query parameters it accepts, the document names no route that is not
 * registered, and the document itself holds together (references resolve, examples satisfy their schemas).
 */
class OpenApiRouteTableTest {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private static TestHerald h;
    private static OpenApiDocument doc;
    private static List<dev.herald.api.HttpApi.Route> routes;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        var served = h.send("GET", "/openapi.json", null, null);
        assertThat(served.status()).as(served.text()).isEqualTo(200);
        assertThat(served.header("Content-Type")).startsWith("application/json");
        doc = new OpenApiDocument(served.json());
        routes = h.herald().api().routes();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void everyRegisteredRouteIsDocumentedWithItsAccessAndQueryParameters() {
        List<String> problems = new ArrayList<>();
        for (var r : routes) {
            String route = r.method() + " " + r.path();
            JsonNode op = doc.operation(r.method(), r.path());
            if (op == null) {
                problems.add(route + " is registered but not documented");
                continue;
            }
            String access = op.path("x-access").stringValue("");
            if (!access.equals(r.access())) {
                problems.add(route + " is registered with access " + r.access() + " but documented with x-access " + access);
            }
            Set<String> documented = doc.parameters(r.method(), r.path(), "query");
            if (!documented.equals(r.queryParams())) {
                problems.add(route + " accepts query parameters " + new TreeSet<>(r.queryParams()) + " but documents "
                        + new TreeSet<>(documented));
            }
        }
        assertThat(problems).as("routes against the document").isEmpty();
    }

    @Test
    void theDocumentNamesNoRouteThatIsNotRegistered() {
        Set<String> registered = new LinkedHashSet<>();
        routes.forEach(r -> registered.add(r.method() + " " + r.path()));
        assertThat(doc.operations().keySet().stream().filter(op -> !registered.contains(op)).toList())
                .as("documented operations that are not registered").isEmpty();
        assertThat(doc.operations()).hasSameSizeAs(registered);
    }

    @Test
    void everyOperationDeclaresItsPathParametersSecurityAndResponses() {
        List<String> problems = new ArrayList<>();
        Set<String> operationIds = new TreeSet<>();
        doc.operations().forEach((key, op) -> {
            String method = key.substring(0, key.indexOf(' '));
            String path = key.substring(key.indexOf(' ') + 1);
            Set<String> inTemplate = new LinkedHashSet<>();
            Matcher m = PATH_PARAM.matcher(path);
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            if (!doc.parameters(method, path, "path").equals(inTemplate)) {
                problems.add(key + " declares path parameters " + doc.parameters(method, path, "path") + ", its path has " + inTemplate);
            }
            if (!operationIds.add(op.path("operationId").stringValue(""))) {
                problems.add(key + " has a missing or repeated operationId");
            }
            Set<String> schemes = new TreeSet<>();
            op.get("security").forEach(requirement -> requirement.propertyNames().forEach(schemes::add));
            Set<String> expected = switch (op.path("x-access").stringValue("")) {
                case "PUBLIC" -> Set.of();
                case "ADMIN" -> Set.of("adminToken");
                default -> Set.of("adminToken", "tenantKey", "portalSession");
            };
            if (!schemes.equals(expected)) {
                problems.add(key + " names security " + schemes + " for access " + op.path("x-access").stringValue(""));
            }
            JsonNode responses = op.get("responses");
            if (responses == null || responses.isEmpty() || responses.has("default")) {
                problems.add(key + " must list its responses by status, without a default");
            } else {
                responses.propertyNames().forEach(status -> {
                    if (!status.matches("[1-5][0-9][0-9]")) {
                        problems.add(key + " has response " + status + ", not a status code");
                    }
                });
                // every route can be sent an unknown query parameter
                if (!responses.has("400")) {
                    problems.add(key + " does not document 400 (an unknown query parameter)");
                }
                if (!op.path("x-access").stringValue("").equals("PUBLIC") && !responses.has("401")) {
                    problems.add(key + " needs a token but does not document 401");
                }
                if (op.has("requestBody") && !(responses.has("413") && responses.has("422"))) {
                    problems.add(key + " takes a body but does not document 413 and 422");
                }
            }
        });
        assertThat(problems).as("operations").isEmpty();
    }

    @Test
    void everyReferenceResolvesAndEveryExampleSatisfiesItsSchema() {
        List<String> problems = new ArrayList<>();
        walk(doc.root(), "", problems);
        assertThat(problems).as("references and examples").isEmpty();
        assertThat(doc.root().get("openapi").stringValue()).startsWith("3.1.");
        assertThat(doc.root().get("servers").get(0).get("url").stringValue()).isEqualTo("/");
        assertThat(doc.root().at("/components/schemas/Problem/properties").propertyNames())
                .contains("type", "title", "status", "detail", "field");
    }

    /** Checks every {@code $ref}, and every media type's examples against its schema. */
    private static void walk(JsonNode node, String at, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.isString() || !ref.stringValue().startsWith("#/")
                    || doc.root().at(ref.stringValue().substring(1)).isMissingNode())) {
                problems.add(at + ": $ref " + ref + " resolves to nothing");
            }
            JsonNode schema = node.get("schema");
            if (at.contains("/content/") && schema != null && schema.isObject()) {
                Map<String, JsonNode> examples = new TreeMap<>();
                if (node.has("example")) {
                    examples.put("example", node.get("example"));
                }
                if (node.has("examples")) {
                    node.get("examples").properties().forEach(e -> examples.put("examples/" + e.getKey(), e.getValue().get("value")));
                }
                examples.forEach((name, value) -> doc.violations(schema, value)
                        .forEach(v -> problems.add(at + "/" + name + " breaks its schema at " + v)));
            }
            for (var e : node.properties()) {
                if (e.getKey().equals("example") || e.getKey().equals("examples")) {
                    continue; // why: values, not document structure; checked against their schema above
                }
                walk(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), at + "/" + i, problems);
            }
        }
    }
}
