package dev.herald.validation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the fields of one JSON object with their rules, so that every rejection names the field by its
 * full path ({@code retry.max_attempts}, {@code events[3].type}). Unknown fields are refused: a typo such
 * as {@code event_type} would otherwise silently mean something else.
 *
 * <p>Paths: a member is {@code parent.name}, an array item {@code parent[3]}. A name that would make the
 * path ambiguous or unreadable (empty; holding {@code . [ ] " \}, white space, a control character or a
 * lone surrogate) is written as a JSON string in brackets instead: {@code headers["Bad Name"]},
 * {@code data["a.b"]}.
 */
public final class Fields {
    private final ObjectNode node;
    private final String path;

    private Fields(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The body or a nested value, which must be a JSON object. */
    public static Fields of(JsonNode value, String path) {
        if (value == null || !value.isObject()) {
            throw new Invalid(path.isEmpty() ? "body" : path, "must be a JSON object");
        }
        return new Fields((ObjectNode) value, path);
    }

    public String path(String name) {
        return member(path, name);
    }

    /** The path of member {@code name} of the object at {@code parent} ("" for the body itself). */
    public static String member(String parent, String name) {
        if (plain(name)) {
            return parent.isEmpty() ? name : parent + "." + name;
        }
        StringBuilder b = new StringBuilder(parent.length() + name.length() + 8).append(parent).append("[\"");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(name.charAt(i - 1));
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (Character.isSurrogate(c) && !paired)) {
                b.append(Unicode.escape(c));
            } else {
                b.append(c);
            }
        }
        return b.append("\"]").toString();
    }

    /** The path of item {@code i} of the array at {@code parent}. */
    public static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    private static boolean plain(String name) {
        if (name.isEmpty() || Unicode.loneSurrogate(name) >= 0) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '.' || c == '[' || c == ']' || c == '"' || c == '\\' || Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    public boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    /** Whether the field is present at all, even as an explicit null (PATCH uses null to reset). */
    public boolean present(String name) {
        return node.has(name);
    }

    public JsonNode raw(String name) {
        return node.get(name);
    }

    /** Refuses every field not in {@code allowed}. */
    public Fields only(String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String name : node.propertyNames()) {
            if (!ok.contains(name)) {
                throw new Invalid(path(name), allowed.length == 0 ? "is not a known field; this request takes no fields"
                        : "is not a known field; accepted: " + String.join(", ", allowed));
            }
        }
        return this;
    }

    public String string(String name, String fallback) {
        return has(name) ? requiredString(name) : fallback;
    }

    public String requiredString(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new Invalid(path(name), "is required");
        }
        if (!v.isString()) {
            throw new Invalid(path(name), "must be a string");
        }
        if (v.stringValue().indexOf('\0') >= 0) {
            // why: PostgreSQL text cannot hold NUL; refusing it everywhere keeps both stores alike
            throw new Invalid(path(name), "must not contain the NUL character (\\u0000)");
        }
        Unicode.check(path(name), v.stringValue());
        return v.stringValue();
    }

    public String requiredString(String name, Pattern pattern, String rule) {
        String s = requiredString(name);
        if (!pattern.matcher(s).matches()) {
            throw new Invalid(path(name), rule);
        }
        return s;
    }

    public String string(String name, String fallback, int maxLength) {
        String s = string(name, fallback);
        if (s != null && s.length() > maxLength) {
            throw new Invalid(path(name), "must be at most " + maxLength + " characters");
        }
        return s;
    }

    public long integer(String name, long fallback, long min, long max) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new Invalid(path(name), "must be a whole number from " + min + " to " + max);
        }
        return v.longValue();
    }

    /** An RFC 3339 time ({@code 2026-11-24T10:00:00Z}, any offset), or {@code fallback} when absent. */
    public java.time.Instant instant(String name, java.time.Instant fallback) {
        if (!has(name)) {
            return fallback;
        }
        return Times.parse(requiredString(name)).orElseThrow(() -> new Invalid(path(name), Times.RULE));
    }

    public boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isBoolean()) {
            throw new Invalid(path(name), "must be true or false");
        }
        return v.booleanValue();
    }

    public <E extends Enum<E>> E choice(String name, E fallback, Class<E> type) {
        if (!has(name)) {
            return fallback;
        }
        String s = requiredString(name);
        for (E e : type.getEnumConstants()) {
            if (e.toString().equals(s)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add('"' + e.toString() + '"');
        }
        throw new Invalid(path(name), "must be one of " + String.join(", ", names));
    }

    /** An array of strings, without duplicates (kept in first-seen order). */
    public List<String> strings(String name, int maxItems, Pattern item, String itemRule) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode v = node.get(name);
        if (!v.isArray()) {
            throw new Invalid(path(name), "must be an array of strings");
        }
        if (v.size() > maxItems) {
            throw new Invalid(path(name), "must have at most " + maxItems + " items");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isString() || !item.matcher(e.stringValue()).matches()) {
                throw new Invalid(index(path(name), i), itemRule);
            }
            Unicode.check(index(path(name), i), e.stringValue());
            out.add(e.stringValue());
        }
        return List.copyOf(out);
    }

    /** An object whose values are all strings, in the order given. */
    public Map<String, String> stringMap(String name) {
        if (!has(name)) {
            return Map.of();
        }
        Fields f = object(name);
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isString()) {
                throw new Invalid(f.path(e.getKey()), "must be a string");
            }
            Unicode.check(f.path(e.getKey()), e.getKey());
            Unicode.check(f.path(e.getKey()), e.getValue().stringValue());
            out.put(e.getKey(), e.getValue().stringValue());
        }
        return out;
    }

    public Fields object(String name) {
        return of(node.get(name), path(name));
    }
}
