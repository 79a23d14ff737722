package dev.herald.cli;

import dev.herald.json.Json;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

/** {@code herald event-types}: the event catalogue (reading: any token; changing: admin). */
@Command(name = "event-types", mixinStandardHelpOptions = true,
        description = "List, show, create, change and delete catalogue event types (with JSON Schemas and examples).")
final class EventTypesCommand {
    private static final String TYPES = "event-types";

    /** What create and patch may set; each left out when not given. */
    static final class Content {
        @Option(names = "--description", paramLabel = "<text>", description = "What the event means, for partners")
        String description;

        @Option(names = "--schema-file", paramLabel = "<file>", description = "A JSON Schema (draft 2020-12) every publish must match")
        Path schemaFile;

        @Option(names = "--example-file", paramLabel = "<file>", description = "An example of the event's data (must match the schema)")
        Path exampleFile;

        ObjectNode body(ApiOptions api) {
            ObjectNode n = Json.object();
            if (description != null) {
                n.put("description", description);
            }
            if (schemaFile != null) {
                n.set("schema", api.jsonFile("--schema-file", schemaFile));
            }
            if (exampleFile != null) {
                n.set("example", api.jsonFile("--example-file", exampleFile));
            }
            return n;
        }
    }

    @Command(name = "list", description = "List the catalogue.")
    int list(@Mixin ApiOptions api, @Mixin PageOptions page) {
        api.printPage(api.client().get(api.client().url(page.query(), "v1", TYPES)), data -> {
            Table t = Table.of("NAME", "SCHEMA", "EXAMPLE", "DESCRIPTION");
            for (var type : data) {
                t.row(type.path("name"), type.path("schema").isObject() ? "yes" : "no",
                        type.path("example").isNull() || type.path("example").isMissingNode() ? "no" : "yes",
                        type.path("description"));
            }
            return t;
        });
        return Main.OK;
    }

    @Command(name = "get", description = "Show one event type with its schema and example.")
    int get(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME") String name) {
        api.print(api.client().get(api.client().url("v1", TYPES, name)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "create", description = "Add an event type to the catalogue.")
    int create(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME", description = "Like order.created") String name,
               @Mixin Content content) {
        ObjectNode body = Json.object().put("name", name);
        body.setAll(content.body(api));
        if (!body.has("description")) {
            body.put("description", "");
        }
        api.print(api.client().post(api.client().url("v1", TYPES), Json.write(body)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "patch", aliases = "update", description = "Change an event type's description, schema or example.")
    int patch(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME") String name, @Mixin Content content) {
        ObjectNode body = content.body(api);
        if (body.isEmpty()) {
            throw api.usage("nothing to change: give --description, --schema-file or --example-file");
        }
        api.print(api.client().patch(api.client().url("v1", TYPES, name), Json.write(body)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "delete", description = "Delete an event type (refused while an endpoint subscribes to it by name).")
    int delete(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME") String name) {
        api.done(api.client().delete(api.client().url("v1", TYPES, name)), "deleted event type " + name);
        return Main.OK;
    }
}
