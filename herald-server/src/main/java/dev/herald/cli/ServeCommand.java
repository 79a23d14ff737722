package dev.herald.cli;

import dev.herald.Herald;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.store.StoreException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald serve}: runs the API, batcher and dispatcher until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run Herald. Every flag can also be set by its environment variable; a flag wins.")
final class ServeCommand implements Callable<Integer> {
    /** Exit code when a setting is wrong: fix the configuration. */
    static final int BAD_CONFIGURATION = 2;
    /** Exit code when the database cannot be reached or opened: the configuration may be right. */
    static final int STORE_UNAVAILABLE = 1;

    @Spec
    CommandSpec spec;
    @Option(names = "--port", description = "HTTP port [HERALD_PORT, default 8080]")
    String port;
    @Option(names = "--bind", description = "The address the API listens on: an IP address or a host name [HERALD_BIND, default 0.0.0.0]")
    String bind;
    @Option(names = "--data-dir", description = "Where SQLite and the admin token live [HERALD_DATA_DIR, default ./herald-data]")
    String dataDir;
    @Option(names = "--database-url", description = "postgresql:// URL; when set PostgreSQL is used instead of SQLite [HERALD_DATABASE_URL]")
    String databaseUrl;
    @Option(names = "--admin-token", description = "The admin bearer token [HERALD_ADMIN_TOKEN, default generated]")
    String adminToken;
    @Option(names = "--admin-token-file", description = "A file holding the admin token; unlike --admin-token, not visible in ps [HERALD_ADMIN_TOKEN_FILE]")
    String adminTokenFile;
    @Option(names = "--allow-private-targets", arity = "0..1", fallbackValue = "true",
            description = "Allow endpoints on loopback and private addresses [HERALD_ALLOW_PRIVATE_TARGETS, default false]")
    String allowPrivateTargets;
    @Option(names = "--user-agent", description = "User-Agent of deliveries [HERALD_USER_AGENT, default Herald-Webhook-Sender/1.0]")
    String userAgent;
    @Option(names = "--retention", description = "How long delivered data is kept, like 7d or 12h [HERALD_RETENTION, default 7d]")
    String retention;
    @Option(names = "--retention-failed", description = "How long failed deliveries are kept, like 30d [HERALD_RETENTION_FAILED, default 30d]")
    String retentionFailed;
    @Option(names = "--max-endpoints-per-tenant", description = "Endpoints a tenant may have, 1 to 10000 [HERALD_MAX_ENDPOINTS_PER_TENANT, default 100]")
    String maxEndpointsPerTenant;
    @Option(names = "--encryption-key-file", description = "File holding the base64 of a 32-byte key; endpoint secrets"
            + " and TLS keys are stored encrypted under it [HERALD_ENCRYPTION_KEY_FILE, default unset: plain text]")
    String encryptionKeyFile;
    @Option(names = "--encryption-old-keys-file", description = "File with retired keys, one base64 key a line, used only to"
            + " read rows while they are re-encrypted [HERALD_ENCRYPTION_OLD_KEYS_FILE, default unset]")
    String encryptionOldKeysFile;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> settings = new HashMap<>(System.getenv());
        put(settings, HeraldConfig.PORT, port);
        put(settings, HeraldConfig.BIND, bind);
        put(settings, HeraldConfig.DATA_DIR, dataDir);
        put(settings, HeraldConfig.DATABASE_URL, databaseUrl);
        put(settings, HeraldConfig.ADMIN_TOKEN, adminToken);
        put(settings, HeraldConfig.ADMIN_TOKEN_FILE, adminTokenFile);
        put(settings, HeraldConfig.ALLOW_PRIVATE_TARGETS, allowPrivateTargets);
        put(settings, HeraldConfig.USER_AGENT, userAgent);
        put(settings, HeraldConfig.RETENTION, retention);
        put(settings, HeraldConfig.RETENTION_FAILED, retentionFailed);
        put(settings, HeraldConfig.MAX_ENDPOINTS_PER_TENANT, maxEndpointsPerTenant);
        put(settings, HeraldConfig.ENCRYPTION_KEY_FILE, encryptionKeyFile);
        put(settings, HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, encryptionOldKeysFile);
        Herald herald;
        try {
            HeraldConfig config = HeraldConfig.from(settings);
            // why: millisecond ticks, so a time the API returns is the time it stored
            herald = Herald.start(config, Clock.tickMillis(ZoneOffset.UTC), System.out);
            String host = config.bind().equals(HeraldConfig.DEFAULT_BIND) || config.bind().equals("::") ? "localhost"
                    : config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
            System.out.println("Herald is listening on http://" + host + ":" + herald.port()
                    + " (" + (config.usesPostgres() ? "PostgreSQL" : "SQLite in " + config.dataDir().toAbsolutePath()) + ")");
        } catch (ConfigException e) {
            return fail(BAD_CONFIGURATION, e.getMessage());
        } catch (StoreException e) {
            // why: one line naming the database and the cause; the stack trace tells an operator nothing more
            return fail(STORE_UNAVAILABLE, e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            herald.close();
            stopped.countDown();
        }, "herald-shutdown"));
        stopped.await();
        return 0;
    }

    private int fail(int code, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("herald: " + message);
        err.flush();
        return code;
    }

    private static void put(Map<String, String> settings, String name, String value) {
        if (value != null) {
            settings.put(name, value);
        }
    }
}
