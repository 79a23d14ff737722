package dev.herald.cli;

import dev.herald.json.Json;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code herald endpoints}: a tenant's endpoints and what can be done to one (admin token or the tenant's key). */
@Command(name = "endpoints", mixinStandardHelpOptions = true,
        description = "Manage a tenant's endpoints: create, change, pause, rotate secrets, test, recover, replay, stats.")
final class EndpointsCommand {

    private static HttpUrl url(ApiOptions api, String tenant, String... rest) {
        String[] segments = new String[4 + rest.length];
        segments[0] = "v1";
        segments[1] = "tenants";
        segments[2] = tenant;
        segments[3] = "endpoints";
        System.arraycopy(rest, 0, segments, 4, rest.length);
        return api.client().url(segments);
    }

    private static void show(ApiOptions api, JsonNode n) {
        Table.fields(api.out(), n);
    }

    @Command(name = "list", description = "List a tenant's endpoints.")
    int list(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant, @Mixin PageOptions page) {
        api.printPage(api.client().get(api.client().url(page.query(), "v1", "tenants", tenant, "endpoints")),
                data -> Table.of("ID", "URL", "FORMAT", "STATUS", "EVENT TYPES")
                        .rows(data, "id", "url", "format", "status", "event_types"));
        return Main.OK;
    }

    @Command(name = "get", description = "Show one endpoint's settings.")
    int get(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
            @Parameters(paramLabel = "ENDPOINT") String id) {
        api.print(api.client().get(url(api, tenant, id)), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "create", description = {"Register an endpoint from flags, or from --from-file endpoint.json (flags win).",
            "Prints it with its signing secret (or public key)."})
    int create(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant, @Mixin EndpointSettings settings) {
        ObjectNode body = settings.body(api);
        if (!body.has("url")) {
            throw api.usage("missing --endpoint-url (or a \"url\" in --from-file): where Herald posts the webhooks");
        }
        api.print(api.client().post(url(api, tenant), Json.write(body)), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "update", aliases = "patch", description = {"Change an endpoint: only the settings given change.",
            "--max-events/--window-ms, --retry-policy/--max-attempts and --header change those objects in part."})
    int update(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "ENDPOINT") String id, @Mixin EndpointSettings settings) {
        ObjectNode body = settings.body(api);
        if (body.isEmpty()) {
            throw api.usage("nothing to change: give a setting such as --endpoint-url or --event-type, or --from-file");
        }
        if (!settings.partialObjects().isEmpty()) {
            // why: the API replaces an object such as batch whole; --max-events alone must keep the stored window
            JsonNode current = api.client().get(url(api, tenant, id)).json();
            for (String name : settings.partialObjects()) {
                if (current.get(name) instanceof ObjectNode stored) {
                    ObjectNode merged = stored.deepCopy();
                    merged.setAll((ObjectNode) body.get(name));
                    body.set(name, merged);
                }
            }
        }
        api.print(api.client().patch(url(api, tenant, id), Json.write(body)), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "delete", description = "Delete an endpoint and its deliveries.")
    int delete(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "ENDPOINT") String id) {
        api.done(api.client().delete(url(api, tenant, id)), "deleted endpoint " + id);
        return Main.OK;
    }

    @Command(name = "pause", description = "Stop sending to an endpoint; events keep collecting, nothing is lost.")
    int pause(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
              @Parameters(paramLabel = "ENDPOINT") String id) {
        return status(api, tenant, id, "paused");
    }

    @Command(name = "resume", description = "Start sending to a paused endpoint again, the held deliveries first.")
    int resume(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "ENDPOINT") String id) {
        return status(api, tenant, id, "active");
    }

    private static int status(ApiOptions api, String tenant, String id, String status) {
        api.print(api.client().patch(url(api, tenant, id), Json.write(Json.object().put("status", status))),
                n -> api.out().println("endpoint " + id + " is " + n.path("status").asString(status)));
        return Main.OK;
    }

    @Command(name = "rotate-secret", description = "A new signing secret; the old one keeps signing alongside for 24 h.")
    int rotateSecret(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
                     @Parameters(paramLabel = "ENDPOINT") String id) {
        api.print(api.client().post(url(api, tenant, id, "rotate-secret"), "{}"), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "secret", description = "Show the signing secret (ed25519: the public key) and the previous one.")
    int secret(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "ENDPOINT") String id) {
        api.print(api.client().get(url(api, tenant, id, "secret")), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "test", description = {"Send one test event now (even when paused), with X-Webhook-Test: true.",
            "Without --type, the first subscribed catalogue type with an example."})
    int test(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
             @Parameters(paramLabel = "ENDPOINT") String id,
             @Option(names = "--type", paramLabel = "<type>", description = "The event type") String type,
             @Option(names = "--data", paramLabel = "<json>", description = "The event's data [the type's example]") String data) {
        ObjectNode body = Json.object();
        if (type != null) {
            body.put("type", type);
        }
        if (data != null) {
            body.set("data", api.json("--data", data));
        }
        api.print(api.client().post(url(api, tenant, id, "test"), Json.write(body)), n -> api.out().println(
                "test delivery " + n.path("delivery_id").asString("") + " queued; see it with: herald deliveries get "
                        + tenant + " " + n.path("delivery_id").asString("")));
        return Main.OK;
    }

    @Command(name = "recover", description = "Send again every failed delivery of the endpoint that failed in [since, until).")
    int recover(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
                @Parameters(paramLabel = "ENDPOINT") String id, @Mixin Range range) {
        api.print(api.client().post(url(api, tenant, id, "recover"), Json.write(range.body(api))),
                n -> api.out().println(n.path("deliveries").asLong() + " failed deliveries queued again"));
        return Main.OK;
    }

    @Command(name = "replay", description = "Queue again every retained event created in [since, until) that the endpoint subscribes to.")
    int replay(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "ENDPOINT") String id, @Mixin Range range) {
        api.print(api.client().post(url(api, tenant, id, "replay"), Json.write(range.body(api))),
                n -> api.out().println(n.path("events").asLong() + " events queued again"));
        return Main.OK;
    }

    /** {@code --since} (required) and {@code --until} of recover and replay. */
    static final class Range {
        @Option(names = "--since", required = true, paramLabel = "<time>", description = "Start: " + Times.INSTANT_HELP)
        String since;

        @Option(names = "--until", paramLabel = "<time>", description = "End (exclusive) [now]")
        String until;

        ObjectNode body(ApiOptions api) {
            ObjectNode n = Json.object().put("since", api.instant("--since", since));
            if (until != null) {
                n.put("until", api.instant("--until", until));
            }
            return n;
        }
    }

    @Command(name = "stats", description = "Deliveries, attempts, success rate and latency over a range [the last 24 h].")
    int stats(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
              @Parameters(paramLabel = "ENDPOINT") String id,
              @Option(names = "--since", paramLabel = "<time>", description = Times.INSTANT_HELP) String since,
              @Option(names = "--until", paramLabel = "<time>") String until) {
        HttpUrl.Builder b = url(api, tenant, id, "stats").newBuilder();
        if (since != null) {
            b.addQueryParameter("since", api.instant("--since", since));
        }
        if (until != null) {
            b.addQueryParameter("until", api.instant("--until", until));
        }
        api.print(api.client().get(b.build()), n -> {
            Table.fields(api.out(), n, "buckets");
            Table buckets = Table.of("START", "DELIVERED", "FAILED", "ATTEMPTS");
            for (JsonNode bucket : n.path("buckets")) {
                if (bucket.path("attempts").asLong() > 0 || bucket.path("delivered").asLong() > 0
                        || bucket.path("failed").asLong() > 0) {
                    buckets.row(bucket.path("start"), bucket.path("delivered"), bucket.path("failed"), bucket.path("attempts"));
                }
            }
            if (!buckets.isEmpty()) {
                api.out().println();
                buckets.print(api.out());
            }
        });
        return Main.OK;
    }
}
