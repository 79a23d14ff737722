package dev.herald.cli;

import dev.herald.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * {@code events publish --file events.jsonl}: every line an event, sent through the bulk route in chunks of at most
 * {@link #MAX_EVENTS} events and {@link #MAX_BYTES} of body. Each chunk is all or nothing; when one is refused, the
 * chunks before it stay published and the error names the line at fault, so the user can fix it and send the rest.
 * A progress bar goes to stderr, and only when stdout is a terminal.
 */
final class BulkPublish {
    /** The bulk route's limit: events per request. */
    static final int MAX_EVENTS = 1000;
    /** Under the bulk route's 16 MiB body limit, with room for the envelope. */
    static final int MAX_BYTES = 15 * 1024 * 1024;
    private static final Pattern EVENT_INDEX = Pattern.compile("events\\[(\\d+)]");

    private final ApiOptions api;
    private final String tenant;
    private final Path file;
    private final ArrayNode published = Json.array();
    private final Progress progress;
    private long sent;

    BulkPublish(ApiOptions api, String tenant, Path file) {
        this.api = api;
        this.tenant = tenant;
        this.file = file;
        this.progress = api.env().stdoutIsTerminal().getAsBoolean() && !api.json ? new Progress(api.err(), count()) : null;
    }

    void run() {
        List<String> chunk = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int bytes = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                check(line, n);
                int size = line.getBytes(StandardCharsets.UTF_8).length + 1;
                if (!chunk.isEmpty() && (chunk.size() == MAX_EVENTS || bytes + size > MAX_BYTES)) {
                    send(chunk, lines);
                    chunk.clear();
                    lines.clear();
                    bytes = 0;
                }
                chunk.add(line);
                lines.add(n);
                bytes += size;
            }
        } catch (IOException | UncheckedIOException e) {
            throw api.usage("--file: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        if (!chunk.isEmpty()) {
            send(chunk, lines);
        }
        if (progress != null) {
            progress.finish();
        }
        if (api.json) {
            api.out().println(Json.write(Json.object().set("data", published)));
        } else {
            api.out().println("published " + sent + " events from " + file);
        }
        api.out().flush();
    }

    private void check(String line, int n) {
        JsonNode event;
        try {
            event = Json.parse(line);
        } catch (JacksonException e) {
            throw api.usage(file + " line " + n + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!event.isObject()) {
            throw api.usage(file + " line " + n + ": must be a JSON object like {\"type\": \"order.created\", \"data\": {}}");
        }
    }

    private void send(List<String> chunk, List<Integer> lines) {
        String body = "{\"events\":[" + String.join(",", chunk) + "]}";
        ApiClient.Answer answer;
        try {
            answer = api.client().post(api.client().url("v1", "tenants", tenant, "events", "bulk"), body);
        } catch (ApiException e) {
            if (progress != null) {
                progress.finish();
            }
            throw new ApiException(e.status(), "lines " + lines.getFirst() + "-" + lines.getLast() + " of " + file
                    + " were not published (" + sent + " events before them were): " + withLines(e.getMessage(), lines),
                    e.field());
        }
        answer.json().path("data").forEach(published::add);
        sent += chunk.size();
        if (progress != null) {
            progress.show(sent);
        }
    }

    /** {@code events[3]} in the API's detail is the chunk's fourth event: name its line too. */
    private static String withLines(String detail, List<Integer> lines) {
        Matcher m = EVENT_INDEX.matcher(detail);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            String line = i < lines.size() ? " (line " + lines.get(i) + ")" : "";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group() + line));
        }
        m.appendTail(out);
        return out.toString();
    }

    private long count() {
        try (var stream = Files.lines(file, StandardCharsets.UTF_8)) {
            return stream.filter(l -> !l.isBlank()).count();
        } catch (IOException | UncheckedIOException e) {
            return 0; // why: run() reads the file next and reports what is wrong with it
        }
    }

    /** {@code [#########.........]  45,000/100,000 events}, redrawn in place with a carriage return. */
    static final class Progress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final long total;

        Progress(PrintWriter err, long total) {
            this.err = err;
            this.total = total;
            show(0);
        }

        void show(long done) {
            int filled = total == 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
            err.print(String.format("\r[%s%s] %,d/%,d events", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total));
            err.flush();
        }

        void finish() {
            err.println();
            err.flush();
        }
    }
}
