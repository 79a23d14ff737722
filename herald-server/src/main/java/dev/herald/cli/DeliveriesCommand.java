package dev.herald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code herald deliveries}: a tenant's delivery log, and retrying a failed delivery by hand. */
@Command(name = "deliveries", mixinStandardHelpOptions = true, description = "List, show and retry a tenant's deliveries.")
final class DeliveriesCommand {

    @Command(name = "list", description = "List deliveries, newest first; the filters combine.")
    int list(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant, @Mixin PageOptions page,
             @Option(names = "--endpoint", paramLabel = "<id>", description = "Of this endpoint") String endpoint,
             @Option(names = "--status", paramLabel = "<status>", description = "pending, delivered or failed") String status,
             @Option(names = "--event-id", paramLabel = "<id>", description = "Holding this event") String eventId,
             @Option(names = "--event-type", paramLabel = "<type>", description = "Holding an event of this type") String eventType,
             @Option(names = "--since", paramLabel = "<time>", description = "Created at or after: " + Times.INSTANT_HELP) String since,
             @Option(names = "--until", paramLabel = "<time>", description = "Created before") String until) {
        var query = page.query("endpoint_id", endpoint, "status", status, "event_id", eventId, "event_type", eventType,
                "since", api.instant("--since", since), "until", api.instant("--until", until));
        api.printPage(api.client().get(api.client().url(query, "v1", "tenants", tenant, "deliveries")), data -> {
            Table t = Table.of("ID", "ENDPOINT", "STATUS", "EVENTS", "ATTEMPTS", "CREATED", "NEXT ATTEMPT");
            for (JsonNode d : data) {
                t.row(d.path("id"), d.path("endpoint_id"), d.path("status").asString("") + (d.path("test").asBoolean() ? " (test)" : ""),
                        d.path("event_count"), d.path("attempt_count"), d.path("created_at"), d.path("next_attempt_at"));
            }
            return t;
        });
        return Main.OK;
    }

    @Command(name = "get", description = "Show one delivery with its events and every attempt (--json adds the body sent).")
    int get(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
            @Parameters(paramLabel = "DELIVERY") String id) {
        api.print(api.client().get(api.client().url("v1", "tenants", tenant, "deliveries", id)), n -> show(api, n));
        return Main.OK;
    }

    @Command(name = "retry", description = "Send a failed delivery again now: the same id and body, one more attempt.")
    int retry(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
              @Parameters(paramLabel = "DELIVERY") String id) {
        api.print(api.client().post(api.client().url("v1", "tenants", tenant, "deliveries", id, "retry"), "{}"),
                n -> api.out().println("delivery " + id + " is " + n.path("status").asString("pending") + " again; attempt "
                        + (n.path("attempt_count").asLong() + 1) + " is due now"));
        return Main.OK;
    }

    private static void show(ApiOptions api, JsonNode n) {
        Table.fields(api.out(), n, "attempts", "body");
        JsonNode attempts = n.path("attempts");
        if (!attempts.isEmpty()) {
            api.out().println();
            Table.of("N", "AT", "STATUS", "MS", "ERROR", "RESPONSE")
                    .rows(attempts, "n", "at", "status_code", "duration_ms", "error", "response_body").print(api.out());
        }
    }
}
