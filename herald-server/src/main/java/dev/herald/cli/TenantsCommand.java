package dev.herald.cli;

import dev.herald.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald tenants}: the partners Herald delivers to (admin token). */
@Command(name = "tenants", mixinStandardHelpOptions = true, description = "List, create, show, rename and delete tenants.",
        subcommandsRepeatable = false)
final class TenantsCommand {
    private static final String TENANTS = "tenants";

    @Command(name = "list", description = "List tenants.")
    int list(@Mixin ApiOptions api, @Mixin PageOptions page) {
        api.printPage(api.client().get(api.client().url(page.query(), "v1", TENANTS)),
                data -> Table.of("ID", "NAME", "CREATED").rows(data, "id", "name", "created_at"));
        return Main.OK;
    }

    @Command(name = "create", description = "Create a tenant.")
    int create(@Mixin ApiOptions api,
               @Parameters(paramLabel = "TENANT", description = "Its id: letters, digits, '-', '_' and '.'") String id,
               @Option(names = "--name", paramLabel = "<name>", description = "Display name [the id]") String name) {
        var body = Json.object().put("id", id).put("name", name == null ? id : name);
        api.print(api.client().post(api.client().url("v1", TENANTS), Json.write(body)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "get", description = "Show one tenant.")
    int get(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String id) {
        api.print(api.client().get(api.client().url("v1", TENANTS, id)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "patch", aliases = "rename", description = "Change a tenant's name.")
    int patch(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String id,
              @Option(names = "--name", required = true, paramLabel = "<name>", description = "The new name") String name) {
        var body = Json.object().put("name", name);
        api.print(api.client().patch(api.client().url("v1", TENANTS, id), Json.write(body)), n -> Table.fields(api.out(), n));
        return Main.OK;
    }

    @Command(name = "delete", description = "Delete a tenant with its keys, endpoints, events and deliveries.")
    int delete(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String id) {
        api.done(api.client().delete(api.client().url("v1", TENANTS, id)), "deleted tenant " + id);
        return Main.OK;
    }
}
