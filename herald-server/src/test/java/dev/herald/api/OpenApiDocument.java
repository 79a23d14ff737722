package dev.herald.api;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.resource.SchemaLoader;
import dev.herald.json.Json;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document as the tests read it: its operations, their parameters and responses (references
 * followed), and its schemas compiled with networknt's validator (JSON Schema 2020-12, which OpenAPI 3.1 schemas
 * are), with format assertions on so that a time must be a real RFC 3339 date-time. Schemas refer to each other as
 * {@code #/components/schemas/...}: each is compiled inside a root that carries the document's components.
 */
final class OpenApiDocument {
    static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final SchemaRegistryConfig CONFIG = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();

    private final JsonNode root;
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    OpenApiDocument(JsonNode root) {
        this.root = root;
    }

    JsonNode root() {
        return root;
    }

    /** {@code "POST /v1/tenants"} → its operation object, in the document's order. */
    Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new LinkedHashMap<>();
        for (var path : root.get("paths").properties()) {
            for (String m : METHODS) {
                JsonNode op = path.getValue().get(m);
                if (op != null) {
                    ops.put(m.toUpperCase(Locale.ROOT) + " " + path.getKey(), op);
                }
            }
        }
        return ops;
    }

    JsonNode operation(String method, String path) {
        JsonNode p = root.get("paths").get(path);
        return p == null ? null : p.get(method.toLowerCase(Locale.ROOT));
    }

    /** The names of the parameters {@code in} ("query", "path") of an operation, its path's included. */
    Set<String> parameters(String method, String path, String in) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode list : new JsonNode[] {root.get("paths").get(path).get("parameters"), operation(method, path).get("parameters")}) {
            if (list != null) {
                for (JsonNode p : list) {
                    JsonNode param = resolve(p);
                    if (param.get("in").stringValue().equals(in)) {
                        names.add(param.get("name").stringValue());
                    }
                }
            }
        }
        return names;
    }

    /** The response documented for {@code status}, or null when it is not documented. */
    JsonNode response(String method, String path, int status) {
        JsonNode op = operation(method, path);
        JsonNode r = op == null ? null : op.get("responses").get(Integer.toString(status));
        return r == null ? null : resolve(r);
    }

    /** Follows a Reference Object ({@code {"$ref": "#/..."}}) to what it names. */
    JsonNode resolve(JsonNode node) {
        while (node.has("$ref") && node.size() == 1) {
            String ref = node.get("$ref").stringValue();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("Only local references are used in the document, not " + ref);
            }
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalStateException("The reference " + ref + " points at nothing");
            }
            node = target;
        }
        return node;
    }

    /** Where {@code value} breaks {@code schema} (a schema object of the document), empty when it satisfies it. */
    List<String> violations(JsonNode schema, JsonNode value) {
        Schema s = compiled.computeIfAbsent(Json.write(schema), k -> compile(schema));
        List<Error> errors = s.validate(value);
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    private Schema compile(JsonNode schema) {
        ObjectNode wrapper = Json.object();
        wrapper.put("$schema", Dialects.getDraft202012().getId());
        wrapper.putArray("allOf").add(schema);
        wrapper.set("components", root.get("components"));
        SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getDraft202012(), b -> b.schemaRegistryConfig(CONFIG)
                .schemaLoader(SchemaLoader.builder().allow(iri -> iri.toString().startsWith("https://json-schema.org/")).build()));
        Schema s = registry.getSchema(wrapper);
        s.initializeValidators();
        return s;
    }
}
