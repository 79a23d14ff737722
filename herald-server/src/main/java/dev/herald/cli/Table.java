package dev.herald.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What people read: rows aligned under upper-case headers, or one {@code field  value} line per field of an object.
 * A missing or null value shows as {@code -}; an object or array as its compact JSON. Nothing is cut: a script that
 * needs exact values uses {@code --json}.
 */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    static Table of(String... headers) {
        return new Table(List.of(headers));
    }

    /** One row; each cell is a JSON value ({@link #text}) or anything else ({@code toString}). */
    Table row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c instanceof JsonNode n ? text(n) : c == null ? "-" : oneLine(c.toString()));
        }
        rows.add(row);
        return this;
    }

    /** One row per element of {@code array}, its cells the named fields. */
    Table rows(JsonNode array, String... fields) {
        for (JsonNode item : array) {
            Object[] cells = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                cells[i] = item.path(fields[i]);
            }
            row(cells);
        }
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).codePointCount(0, r.get(i).length()));
            }
        }
        line(out, headers, widths);
        rows.forEach(r -> line(out, r, widths));
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            b.append(c);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - c.codePointCount(0, c.length()) + 2));
            }
        }
        out.println(b.toString().stripTrailing());
    }

    /** {@code field  value} lines for the fields of {@code object}, in the API's order, except those {@code skip}ped. */
    static void fields(PrintWriter out, JsonNode object, String... skip) {
        List<String> skipped = List.of(skip);
        int width = 0;
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            width = Math.max(width, e.getKey().length());
        }
        Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!skipped.contains(e.getKey())) {
                out.println(e.getKey() + " ".repeat(width - e.getKey().length() + 2) + text(e.getValue()));
            }
        }
    }

    /** A JSON value as a cell: a string unquoted, null or missing as {@code -}, anything else as compact JSON. */
    static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "-";
        }
        if (n.isString()) {
            String s = n.stringValue();
            return s.isEmpty() ? "-" : oneLine(s);
        }
        if (n.isArray() && n.isEmpty() || n.isObject() && n.isEmpty()) {
            return "-";
        }
        return oneLine(n.toString());
    }

    // why: a receiver's answer or a description may hold newlines and control characters; a table row stays one line
    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}+", " ");
    }
}
