package dev.herald.cli;

import dev.herald.json.Json;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code herald events}: publishing a tenant's events (admin token) and searching the retained ones. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Publish events, list and show retained ones.")
final class EventsCommand {

    @Command(name = "publish", description = {"Publish one event (--type with --data), or every line of a JSONL file",
            "(--file: one {\"type\", \"data\", \"id\"?, \"ordering_key\"?} object a line, sent in bulk, 1,000 at a time)."})
    int publish(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
                @Option(names = "--type", paramLabel = "<type>", description = "The event's type (a catalogue name)") String type,
                @Option(names = "--data", paramLabel = "<json>", description = "The event's data, a JSON value [{}]") String data,
                @Option(names = "--id", paramLabel = "<id>", description = "Its id; publishing an id again is a no-op") String id,
                @Option(names = "--ordering-key", paramLabel = "<key>", description = "Events of one key arrive in order") String key,
                @Option(names = "--file", paramLabel = "<events.jsonl>", description = "Publish every line of this file") Path file) {
        if (file != null) {
            if (type != null || data != null || id != null || key != null) {
                throw api.usage("--file: give either --file or --type/--data/--id/--ordering-key (one event), not both");
            }
            new BulkPublish(api, tenant, file).run();
            return Main.OK;
        }
        if (type == null) {
            throw api.usage("missing --type (or --file events.jsonl): the event's type, a name from 'herald event-types list'");
        }
        ObjectNode body = Json.object();
        if (id != null) {
            body.put("id", id);
        }
        body.put("type", type);
        body.set("data", data == null ? Json.object() : api.json("--data", data));
        if (key != null) {
            body.put("ordering_key", key);
        }
        api.print(api.client().post(api.client().url("v1", "tenants", tenant, "events"), Json.write(body)),
                n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "list", description = "List retained events, newest first.")
    int list(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant, @Mixin PageOptions page,
             @Option(names = "--type", paramLabel = "<type>", description = "Of this type") String type,
             @Option(names = "--since", paramLabel = "<time>", description = "Created at or after: " + Times.INSTANT_HELP) String since,
             @Option(names = "--until", paramLabel = "<time>", description = "Created before") String until) {
        var query = page.query("type", type, "since", api.instant("--since", since), "until", api.instant("--until", until));
        api.printPage(api.client().get(api.client().url(query, "v1", "tenants", tenant, "events")),
                rows -> Table.of("ID", "TYPE", "CREATED", "ORDERING KEY").rows(rows, "id", "type", "created_at", "ordering_key"));
        return Main.OK;
    }

    @Command(name = "get", description = "Show one event with its data and its deliveries.")
    int get(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant, @Parameters(paramLabel = "EVENT") String id) {
        api.print(api.client().get(api.client().url("v1", "tenants", tenant, "events", id)), n -> {
            Table.fields(api.out(), n, "deliveries");
            JsonNode deliveries = n.path("deliveries");
            if (!deliveries.isEmpty()) {
                api.out().println();
                Table.of("DELIVERY", "ENDPOINT", "STATUS").rows(deliveries, "id", "endpoint_id", "status").print(api.out());
            }
        });
        return Main.OK;
    }
}
