package dev.herald.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --limit} and {@code --cursor} of every list command: one page of the API's cursor-paginated list. */
final class PageOptions {
    @Option(names = "--limit", paramLabel = "<n>", description = "At most this many rows (1-250) [50]")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "<cursor>", description = "Start after this cursor (printed under a full page)")
    String cursor;

    /** The query for this page, with {@code more} filters after it; null values are left out. */
    Map<String, String> query(String... more) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("limit", limit == null ? null : limit.toString());
        q.put("cursor", cursor);
        for (int i = 0; i + 1 < more.length; i += 2) {
            q.put(more[i], more[i + 1]);
        }
        return q;
    }
}
