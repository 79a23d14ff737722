package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import dev.herald.validation.Unicode;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;

/**
 * Finds the object key that made a body unparseable by holding a lone UTF-16 surrogate escape. The parser
 * refuses such a key itself (while it hands a lone surrogate in a value over), and its error says neither
 * where nor which key; this turns it into the same 422 naming the path that a value gets.
 */
final class LoneSurrogateKey {
    private LoneSurrogateKey() {
    }

    /** The refusal naming the bad key, or null when {@code text} fails to parse for another reason. */
    static Invalid find(String text) {
        JsonParser p = Json.MAPPER.createParser(text);
        try {
            while (p.nextToken() != null) {
                // why: only the failure, and where the parser stood at it, matter
            }
            return null;
        } catch (JacksonException e) {
            TokenStreamContext at = p.streamReadContext();
            long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            if (at == null || !at.inObject() || offset < 0 || offset > text.length()) {
                return null;
            }
            String key = decode(keyAt(text, (int) offset));
            int i = key == null ? -1 : Unicode.loneSurrogate(key);
            return i < 0 ? null : new Invalid(Fields.member(path(at), key), Unicode.rule(key.charAt(i), i));
        } finally {
            p.close();
        }
    }

    /** The path of the object whose key is being read: each enclosing member name and array index. */
    private static String path(TokenStreamContext object) {
        List<TokenStreamContext> outer = new ArrayList<>();
        for (TokenStreamContext c = object.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            outer.addFirst(c);
        }
        String path = "";
        for (TokenStreamContext c : outer) {
            path = c.inArray() ? Fields.index(path, c.getCurrentIndex()) : Fields.member(path, c.currentName());
        }
        return path;
    }

    /**
     * The raw text, without its quotes, of the object key that the parser was reading when it stopped at
     * {@code offset}; null when it was reading something else. The text before the offset parsed, so
     * outside strings it holds no quote, inside one a backslash escapes the next character, and a string
     * that follows '{' or ',' in an object is a key.
     */
    private static String keyAt(String text, int offset) {
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (start < 0) {
                if (i >= offset) {
                    return null;
                }
                if (c == '"') {
                    start = i;
                }
            } else if (c == '\\') {
                i++;
            } else if (c == '"') {
                if (i + 1 >= offset) {
                    return isKey(text, start) ? text.substring(start + 1, i) : null;
                }
                start = -1;
            }
        }
        return start >= 0 && isKey(text, start) ? text.substring(start + 1) : null;
    }

    private static boolean isKey(String text, int quote) {
        int i = quote - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return i >= 0 && (text.charAt(i) == '{' || text.charAt(i) == ',');
    }

    /** The string that the raw JSON string text {@code raw} stands for; null when an escape is broken. */
    private static String decode(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i >= raw.length()) {
                return null;
            }
            switch (raw.charAt(i)) {
                case '"', '\\', '/' -> b.append(raw.charAt(i));
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    int code = 0;
                    for (int k = 1; k <= 4; k++) {
                        int digit = i + k < raw.length() ? Character.digit(raw.charAt(i + k), 16) : -1;
                        if (digit < 0) {
                            return null;
                        }
                        code = code * 16 + digit;
                    }
                    b.append((char) code);
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return b.toString();
    }
}
