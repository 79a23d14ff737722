package dev.herald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code herald keys}: a tenant's API keys (admin token). A key is shown once, when it is created. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "List, create and revoke a tenant's API keys.")
final class KeysCommand {

    @Command(name = "list", description = "List a tenant's keys (their prefixes; a key itself is shown only when created).")
    int list(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant) {
        api.printPage(api.client().get(api.client().url("v1", "tenants", tenant, "keys")),
                data -> Table.of("ID", "PREFIX", "CREATED", "LAST USED").rows(data, "id", "prefix", "created_at", "last_used_at"));
        return Main.OK;
    }

    @Command(name = "create", description = "Create a key for a tenant and print it (shown once: keep it now).")
    int create(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant) {
        api.print(api.client().post(api.client().url("v1", "tenants", tenant, "keys"), "{}"), n -> {
            Table.fields(api.out(), n);
            api.err().println("(the key is shown this once; Herald keeps only its hash)");
        });
        return Main.OK;
    }

    @Command(name = "revoke", description = "Revoke a key: it stops working at once, on every node.")
    int revoke(@Mixin ApiOptions api, @Parameters(paramLabel = "TENANT") String tenant,
               @Parameters(paramLabel = "KEY_ID", description = "The key's id (from 'keys list')") String id) {
        api.done(api.client().delete(api.client().url("v1", "tenants", tenant, "keys", id)), "revoked key " + id);
        return Main.OK;
    }
}
