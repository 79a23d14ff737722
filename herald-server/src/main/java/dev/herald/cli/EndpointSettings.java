package dev.herald.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An endpoint's settings as flags of {@code endpoints create} and {@code endpoints update}, laid over
 * {@code --from-file}: a flag given wins over the file, a flag not given leaves the file's value (or, for update,
 * the stored one). The fields and their rules are the API's (DESIGN.md, Endpoint fields).
 */
final class EndpointSettings {
    @Option(names = "--from-file", paramLabel = "<file>", description = "A JSON object of endpoint fields, as the API takes it")
    Path fromFile;

    // why: not --url, which every command takes for Herald's own address
    @Option(names = "--endpoint-url", paramLabel = "<url>", description = "Where Herald POSTs the webhooks (https)")
    String url;

    @Option(names = "--description", paramLabel = "<text>")
    String description;

    @Option(names = {"--event-type", "--event-types"}, paramLabel = "<type>", split = ",",
            description = "Subscribe to this type, prefix.* or *; repeat or separate with commas [every type]")
    List<String> eventTypes;

    @Option(names = "--format", paramLabel = "<format>", description = "batch or event [batch]")
    String format;

    @Option(names = "--max-events", paramLabel = "<n>", description = "Batch: seal at this many events, 1-1000 [100]")
    Integer maxEvents;

    @Option(names = "--window-ms", paramLabel = "<ms>", description = "Batch: seal this long after the last batch, 100-60000 [1000]")
    Integer windowMs;

    @Option(names = "--retry-policy", paramLabel = "<policy>", description = "polynomial or exponential [by format]")
    String retryPolicy;

    @Option(names = "--max-attempts", paramLabel = "<n>", description = "Attempts before a delivery fails [26 batch, 3 event]")
    Integer maxAttempts;

    @Option(names = "--header", paramLabel = "<name=value>", description = "A header sent with every request; repeat for more")
    List<String> headers;

    @Option(names = "--timeout-ms", paramLabel = "<ms>", description = "Per-request deadline [10000]")
    Integer timeoutMs;

    @Option(names = "--max-concurrency", paramLabel = "<n>", description = "Requests in flight at once, 1-100 [8]")
    Integer maxConcurrency;

    @Option(names = "--rate-limit", paramLabel = "<n>", description = "Requests started per second, 1-10000 [no limit]")
    Integer rateLimit;

    @Option(names = "--ordering", paramLabel = "<ordering>", description = "none or key [none]")
    String ordering;

    @Option(names = "--signing", paramLabel = "<scheme>", description = "hmac-sha256 or ed25519 [hmac-sha256]")
    String signing;

    /** The body: the file's object (or an empty one) with every flag given laid over it. */
    ObjectNode body(ApiOptions api) {
        ObjectNode n;
        if (fromFile == null) {
            n = dev.herald.json.Json.object();
        } else if (api.jsonFile("--from-file", fromFile) instanceof ObjectNode o) {
            n = o;
        } else {
            throw api.usage("--from-file " + fromFile + ": must hold a JSON object of endpoint fields");
        }
        put(n, "url", url);
        put(n, "description", description);
        if (eventTypes != null) {
            var types = n.putArray("event_types");
            eventTypes.stream().map(String::strip).filter(t -> !t.isEmpty()).forEach(types::add);
        }
        put(n, "format", format);
        if (maxEvents != null || windowMs != null) {
            ObjectNode b = object(n, "batch");
            put(b, "max_events", maxEvents);
            put(b, "window_ms", windowMs);
        }
        if (retryPolicy != null || maxAttempts != null) {
            ObjectNode r = object(n, "retry");
            put(r, "policy", retryPolicy);
            put(r, "max_attempts", maxAttempts);
        }
        if (headers != null) {
            ObjectNode h = object(n, "headers");
            for (String header : headers) {
                int eq = header.indexOf('=');
                if (eq < 1) {
                    // why: never echo the value; a header may carry a partner's credential
                    throw api.usage("--header: must be NAME=VALUE, was one without '=' or without a name");
                }
                h.put(header.substring(0, eq).strip(), header.substring(eq + 1));
            }
        }
        put(n, "timeout_ms", timeoutMs);
        put(n, "max_concurrency", maxConcurrency);
        put(n, "rate_limit_per_s", rateLimit);
        put(n, "ordering", ordering);
        put(n, "signing", signing);
        return n;
    }

    /** Names of the nested objects these flags change in part (an update merges them with the stored ones). */
    List<String> partialObjects() {
        List<String> names = new ArrayList<>();
        if (maxEvents != null || windowMs != null) {
            names.add("batch");
        }
        if (retryPolicy != null || maxAttempts != null) {
            names.add("retry");
        }
        if (headers != null) {
            names.add("headers");
        }
        return names;
    }

    private static ObjectNode object(ObjectNode n, String name) {
        JsonNode existing = n.get(name);
        return existing instanceof ObjectNode o ? o : n.putObject(name);
    }

    private static void put(ObjectNode n, String name, Object value) {
        if (value instanceof String s) {
            n.put(name, s);
        } else if (value instanceof Integer i) {
            n.put(name, i);
        }
    }
}
