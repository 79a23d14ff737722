package dev.herald.validation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Strings from outside must be valid Unicode. JSON can spell a lone UTF-16 surrogate as an escape
 * ({@code "\\ud800"}), and the parser hands it over as a Java string, but UTF-8 cannot encode it: stored,
 * it would turn into {@code ?}, and written into a delivery body it makes the UTF-8 writer fail. So it is
 * refused where it comes in, naming where it is.
 */
public final class Unicode {
    public static final String RULE = "strings must be valid Unicode: a character outside the Basic Multilingual Plane"
            + " is escaped as a pair such as \\ud83d\\ude00, or sent as UTF-8";

    private Unicode() {
    }

    /** The index of the first lone surrogate in {@code s}, or -1 when every surrogate is half of a pair. */
    public static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Refuses {@code s}, the value at {@code path}, when it holds a lone surrogate. */
    public static void check(String path, String s) {
        int at = loneSurrogate(s);
        if (at >= 0) {
            throw new Invalid(path, rule(s.charAt(at), at));
        }
    }

    /** The rule broken by a lone {@code surrogate} at {@code index} of a string, for a 422. */
    public static String rule(char surrogate, int index) {
        return "holds a lone UTF-16 surrogate (" + escape(surrogate) + ") at character " + index + "; " + RULE;
    }

    /** Refuses {@code node}, found at {@code path}, when a string or an object key anywhere in it holds a lone surrogate. */
    public static void checkTree(JsonNode node, String path) {
        Deque<Object> steps = new ArrayDeque<>();
        String bad = find(node, steps);
        if (bad != null) {
            String at = path;
            for (Iterator<Object> it = steps.descendingIterator(); it.hasNext(); ) {
                Object step = it.next();
                at = step instanceof Integer i ? Fields.index(at, i) : Fields.member(at, (String) step);
            }
            int i = loneSurrogate(bad);
            throw new Invalid(at, rule(bad.charAt(i), i));
        }
    }

    /**
     * The first bad string in {@code node} (a key or a value), leaving in {@code steps} the keys and indexes
     * that lead to it, innermost first; null when there is none.
     */
    private static String find(JsonNode node, Deque<Object> steps) {
        if (node.isString()) {
            String s = node.stringValue();
            return loneSurrogate(s) >= 0 ? s : null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                steps.push(e.getKey());
                if (loneSurrogate(e.getKey()) >= 0) {
                    return e.getKey();
                }
                String bad = find(e.getValue(), steps);
                if (bad != null) {
                    return bad;
                }
                steps.pop();
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                steps.push(i);
                String bad = find(node.get(i), steps);
                if (bad != null) {
                    return bad;
                }
                steps.pop();
            }
        }
        return null;
    }

    /** {@code c} as a JSON escape, {@code \\ud800}: a surrogate cannot be written as itself. */
    static String escape(char c) {
        return String.format(Locale.ROOT, "\\u%04x", (int) c);
    }
}
