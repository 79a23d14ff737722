package dev.herald.catalog;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import com.networknt.schema.resource.SchemaLoader;
import dev.herald.validation.Invalid;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * JSON Schema (draft 2020-12) for event data, on networknt's json-schema-validator. Its 3.x line is built on
 * Jackson 3, Herald's JSON library, so schemas and data are handed over as the nodes Herald already parsed.
 *
 * <p>A schema is checked against the 2020-12 meta-schema, then compiled once ({@link Compiled}) and reused for every
 * event; a compiled schema is immutable and thread-safe. A schema may refer only to itself ({@code #/$defs/...}) and
 * to the draft's own meta-schemas, which ship inside the library: nothing is ever fetched from the network or read
 * from the class path on a schema's behalf. Each schema is compiled in a registry of its own, so one schema's
 * {@code $id} can never stand in for another's.
 */
public final class Schemas {
    private static final String DRAFT = Dialects.getDraft202012().getId();
    private static final SchemaRegistryConfig CONFIG = SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build();
    /** why: without it a {@code $ref} could make Herald read a URL or a class path resource */
    private static final SchemaLoader ONLY_THE_DRAFT = SchemaLoader.builder()
            .allow(iri -> iri.toString().startsWith("https://json-schema.org/draft/2020-12/"))
            .build();
    private static final Schema META = registry().getSchema(SchemaLocation.of(DRAFT));
    private static final Set<String> DATA_KEYWORDS = Set.of("const", "enum", "default", "examples");
    private static final String WRAPPED = "^([a-z0-9_]+\\.)+[A-Z][A-Za-z0-9_$]*: ";

    /** Where data breaks its schema: a JSON pointer into the data ("" for the whole) and the rule it breaks. */
    public record Violation(String pointer, String rule) {
    }

    /** A schema compiled once, shared by every publish of its type. */
    public static final class Compiled {
        private final Schema schema;

        private Compiled(Schema schema) {
            this.schema = schema;
        }

        /** The first place where {@code data} breaks the schema, or empty when it satisfies it. */
        public Optional<Violation> check(JsonNode data) {
            List<Error> errors;
            try {
                errors = schema.validate(data);
            } catch (RuntimeException e) {
                // why: a compiled schema was checked when it was written; should the library still fail on some data,
                // the publisher hears why instead of a 500
                return Optional.of(new Violation("", "cannot be checked against the type's schema (" + message(e)
                        + "); the operator must fix the schema"));
            }
            return errors.isEmpty() ? Optional.empty() : Optional.of(violation(errors.getFirst()));
        }
    }

    private Schemas() {
    }

    /**
     * Compiles {@code schema}, found at {@code field} of a request, or refuses it naming where it breaks the 2020-12
     * meta-schema, or why it cannot be used.
     */
    public static Compiled compile(JsonNode schema, String field) {
        if (!schema.isObject()) {
            throw new Invalid(field, "must be a JSON Schema (draft 2020-12) object, such as {\"type\": \"object\"}");
        }
        JsonNode declared = schema.get("$schema");
        if (declared != null && !(declared.isString() && isDraft202012(declared.stringValue()))) {
            throw new Invalid(field + "/$schema", "must be \"" + DRAFT + "\" or absent: Herald validates with JSON Schema"
                    + " draft 2020-12 only");
        }
        List<Error> errors = META.validate(schema);
        if (!errors.isEmpty()) {
            Violation v = violation(errors.getFirst());
            throw new Invalid(field + v.pointer(), v.rule() + " (the schema is not valid JSON Schema, draft 2020-12)");
        }
        localRefs(schema, schema, field);
        try {
            Schema compiled = registry().getSchema(schema);
            // why: compiling resolves references lazily and swallows what fails; this resolves every one now
            compiled.initializeValidators();
            return new Compiled(compiled);
        } catch (NullPointerException e) {
            throw new Invalid(field, "has a $ref that cannot be resolved; a $ref may point only inside the schema (such as"
                    + " #/$defs/address) or to the draft 2020-12 meta-schemas");
        } catch (RuntimeException e) {
            throw new Invalid(field, "is not a usable JSON Schema: " + message(e) + "; a $ref may point only inside"
                    + " the schema (such as #/$defs/address) or to the draft 2020-12 meta-schemas");
        }
    }

    /** Refuses a {@code $ref} of the form {@code #/pointer} that points at nothing in the schema, naming where it is. */
    private static void localRefs(JsonNode node, JsonNode root, String at) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isString() && ref.stringValue().startsWith("#/") && !resolves(root, ref.stringValue())) {
                throw new Invalid(at + "/$ref", "points to " + ref.stringValue() + ", which is not in the schema");
            }
            for (var e : node.properties()) {
                // why: these hold data, not schemas; a "$ref" inside them is just a value
                if (!DATA_KEYWORDS.contains(e.getKey())) {
                    localRefs(e.getValue(), root, at + "/" + escape(e.getKey()));
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                localRefs(node.get(i), root, at + "/" + i);
            }
        }
    }

    private static boolean resolves(JsonNode root, String ref) {
        try {
            String pointer = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            return !root.at(pointer).isMissingNode();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Compiles a schema Herald stored (checked by {@link #compile(JsonNode, String)} when it was written). */
    static Compiled compileStored(JsonNode schema) {
        return new Compiled(registry().getSchema(schema));
    }

    private static SchemaRegistry registry() {
        return SchemaRegistry.withDialect(Dialects.getDraft202012(),
                b -> b.schemaRegistryConfig(CONFIG).schemaLoader(ONLY_THE_DRAFT));
    }

    private static boolean isDraft202012(String id) {
        return id.equals(DRAFT) || id.equals(DRAFT + "#");
    }

    /** The library's error in Herald's words, where they are plainer; the library's own otherwise. */
    static Violation violation(Error e) {
        String at = e.getInstanceLocation().toString();
        JsonNode rule = e.getSchemaNode();
        return switch (String.valueOf(e.getKeyword())) {
            case "required" -> new Violation(at + "/" + escape(e.getProperty()), "is required");
            case "additionalProperties" -> new Violation(at + "/" + escape(e.getProperty()),
                    "is not allowed: the schema allows no other properties here");
            case "type" -> new Violation(at, "must be " + expected(rule) + ", not " + kind(e.getInstanceNode()));
            case "enum" -> new Violation(at, "must be one of " + rule);
            case "const" -> new Violation(at, "must be " + rule);
            case "maximum" -> new Violation(at, "must be at most " + rule);
            case "minimum" -> new Violation(at, "must be at least " + rule);
            case "exclusiveMaximum" -> new Violation(at, "must be less than " + rule);
            case "exclusiveMinimum" -> new Violation(at, "must be greater than " + rule);
            case "maxLength" -> new Violation(at, "must be at most " + rule + " characters long");
            case "minLength" -> new Violation(at, "must be at least " + rule + " characters long");
            default -> new Violation(at, e.getMessage());
        };
    }

    /** "an integer", "a string or null", from the value of a {@code type} keyword. */
    private static String expected(JsonNode type) {
        if (type != null && type.isArray()) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < type.size(); i++) {
                s.append(i == 0 ? "" : i == type.size() - 1 ? " or " : ", ").append(article(type.get(i).asString()));
            }
            return s.toString();
        }
        return type == null ? "of another type" : article(type.asString());
    }

    private static String kind(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        return value.isNumber() ? "a number" : value.isString() ? "a string" : value.isBoolean() ? "a boolean"
                : value.isArray() ? "an array" : "an object";
    }

    private static String article(String type) {
        return switch (type) {
            case "null" -> "null";
            case "integer", "object", "array" -> "an " + type;
            default -> "a " + type;
        };
    }

    /** A property name as one step of a JSON pointer (RFC 6901). */
    private static String escape(String name) {
        return name == null ? "" : name.replace("~", "~0").replace("/", "~1");
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int newline = m.indexOf('\n');
        // why: a wrapped exception's message starts with its class name, which says nothing to the caller
        m = (newline < 0 ? m : m.substring(0, newline)).replaceFirst(WRAPPED, "").strip();
        return m.isEmpty() ? e.getClass().getSimpleName() : m;
    }
}
