package dev.herald.cli;

import dev.herald.json.Json;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald portal-link TENANT}: mints a portal session and prints the link that signs a partner in. */
@Command(name = "portal-link", mixinStandardHelpOptions = true,
        description = "Print a link that opens the partner portal signed in as TENANT (a new portal session).")
final class PortalLinkCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "TENANT")
    String tenant;

    @Option(names = "--read-only", description = "The session may look but not change anything (nor reveal secrets)")
    boolean readOnly;

    @Option(names = "--expires-in", paramLabel = "<span>",
            description = "How long the link works: 5m to 7d, like 30m, 8h, 2d [1h]")
    String expiresIn;

    @Override
    public Integer call() {
        var body = Json.object();
        if (expiresIn != null) {
            Duration d = Times.span(expiresIn).orElseThrow(() -> api.usage(
                    "--expires-in: must be a span like 30m, 8h or 2d (5m to 7d), was '" + expiresIn + "'"));
            body.put("expires_in_s", d.toSeconds());
        }
        if (readOnly) {
            body.put("read_only", true);
        }
        api.print(api.client().post(api.client().url("v1", "tenants", tenant, "portal-sessions"), Json.write(body)), n -> {
            api.out().println(n.path("url").asString(""));
            api.err().println("(" + (n.path("read_only").asBoolean() ? "read-only, " : "") + "valid until "
                    + n.path("expires_at").asString("") + "; revoke with the console or DELETE …/portal-sessions/"
                    + n.path("id").asString("") + ")");
        });
        return Main.OK;
    }
}
