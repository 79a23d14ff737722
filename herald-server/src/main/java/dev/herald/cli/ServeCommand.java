package dev.herald.cli;

import dev.herald.Herald;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.config.Setting;
import dev.herald.store.StoreException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/** {@code herald serve}: runs the API, batcher and dispatcher until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, modelTransformer = ServeCommand.Flags.class,
        description = "Run Herald. Every flag can also be set by its environment variable; a flag wins.")
final class ServeCommand implements Callable<Integer> {
    /** Exit code when a setting is wrong: fix the configuration. */
    static final int BAD_CONFIGURATION = 2;
    /** Exit code when the database cannot be reached or opened: the configuration may be right. */
    static final int STORE_UNAVAILABLE = 1;

    /** One flag per row of {@link Setting#ALL}, named in its help by its variable. */
    static final class Flags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (Setting s : Setting.ALL) {
                OptionSpec.Builder flag = OptionSpec.builder(s.flag())
                        .paramLabel("<value>")
                        .type(String.class)
                        .description(s.help() + " [" + s.variable() + "]");
                if (s.switchLike()) {
                    flag.arity("0..1").fallbackValue("true");
                }
                spec.addOption(flag.build());
            }
            return spec;
        }
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> settings = new HashMap<>(System.getenv());
        for (Setting s : Setting.ALL) {
            String value = spec.findOption(s.flag()).getValue();
            if (value != null) {
                settings.put(s.variable(), value);
            }
        }
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
}
