package dev.herald.cli;

import dev.herald.Herald;
import dev.herald.config.HeraldConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code herald train} (hidden): the short training run the launcher makes the JDK's AOT cache from
 * ({@code -XX:AOTCacheOutput}) after each build. It starts a real Herald on a temporary data directory and a
 * loopback port, drives it through the public HTTP API as a platform would ({@link Training}), and stops it.
 * Every class loaded and every method profiled on the way goes into the cache, so a later {@code herald serve}
 * starts with them loaded and linked, and its first requests run code the JIT already knows to be hot.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Exercise Herald once (start, publish, deliver, list, stop) so the launcher can record a start-up cache.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "<dir>",
            description = "Where the training's database goes; it must not hold a Herald already [default: a new temporary directory, removed after]")
    Path dataDir;

    @Option(names = "--events", paramLabel = "<n>", description = "Events published and delivered, half singly and half in bulk [default: 2000]")
    int events = 2_000;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("herald-train") : dataDir;
        if (events < 2 || events > 100_000) {
            err.println("herald: --events must be from 2 to 100000, was " + events);
            err.flush();
            return ServeCommand.BAD_CONFIGURATION;
        }
        if (!temporary && Files.exists(dir.resolve(Herald.SQLITE_FILE))) {
            err.println("herald: --data-dir " + dir + " holds a Herald database already; give the training an empty directory");
            err.flush();
            return ServeCommand.BAD_CONFIGURATION;
        }
        long t0 = System.nanoTime();
        try {
            String token = "train-" + java.util.UUID.randomUUID();
            HeraldConfig config = HeraldConfig.from(Map.of(
                    HeraldConfig.PORT, "0",
                    HeraldConfig.BIND, "127.0.0.1",
                    HeraldConfig.DATA_DIR, dir.toString(),
                    HeraldConfig.ADMIN_TOKEN, token,
                    // why: the training's receiver is on loopback
                    HeraldConfig.ALLOW_PRIVATE_TARGETS, "true"));
            try (Herald herald = Herald.start(config, Clock.tickMillis(ZoneOffset.UTC), new PrintStream(OutputStream.nullOutputStream()));
                 Training training = new Training("http://127.0.0.1:" + herald.port(), token)) {
                training.run(events, Duration.ofSeconds(120));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("herald: training done: %d events published and delivered in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println("herald: the training run failed: " + e);
            err.flush();
            return 1;
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException ignored) {
            // nothing to remove
        }
    }
}
