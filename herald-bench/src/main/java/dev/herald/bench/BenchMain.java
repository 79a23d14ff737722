package dev.herald.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald bench}: starts Herald as a child process on loopback, drives load, prints a table and writes JSON. */
@Command(name = "herald bench", mixinStandardHelpOptions = true, version = "Herald bench 0.1.0",
        description = {"Benchmarks Herald on this machine, on loopback only: start, ingest, delivery, latency (warm and"
                + " straight after a start), backlog, failing partners, the HTTP client's own limit and the SQLite durability cost."
                + " Herald is started as users start it (./herald serve) and measured on default endpoints; tuned rows beside.",
                "Reports only: it asserts nothing about speed (exit code 1 means a scenario failed or lost events).",
                "",
                "Examples: ./herald bench (SQLite, every scenario, 3 runs); ./herald bench --database-url"
                + " postgresql://user:password@127.0.0.1:5432/postgres [--nodes 2]; ./herald bench --only latency,latency-cold"
                + " --herald-env HERALD_OTEL_ENDPOINT=http://127.0.0.1:4318", ""})
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--quick", description = "About 1/20 of the full load, one run per figure (about a minute)")
    boolean quick;
    @Option(names = "--database-url", paramLabel = "<url>",
            description = "A PostgreSQL server (postgresql://user:password@host:port/db or jdbc:postgresql:…); each Herald gets a fresh database on it [default: embedded SQLite]")
    String databaseUrl;
    @Option(names = "--json", description = "Where to write the results [default: herald-bench/target/bench.json]")
    Path json = Path.of("herald-bench", "target", "bench.json");
    @Option(names = "--runs", description = "Runs per figure (the median is reported) [default: 3, quick 1]")
    Integer runs;
    @Option(names = "--launcher", hidden = true, description = "The herald launcher script that starts each Herald [default: the repository's, found from here]")
    Path launcher;

    @Option(names = "--only", split = ",", paramLabel = "<scenario>",
            description = "Run only these scenarios (comma-separated): start, ingest-bulk, ingest-single, sqlite-baseline,"
                    + " delivery-event, delivery-event-tuned, delivery-batch, delivery-batch-tuned, latency, latency-cold,"
                    + " backlog, failing-partners, all-healthy, failing-partners-tuned, all-healthy-tuned, limit, limit-tuned"
                    + " [default: all]")
    java.util.Set<String> only = new java.util.LinkedHashSet<>();
    @Option(names = "--nodes", paramLabel = "<1|2>",
            description = "Heralds per scenario: 2 runs a second node on the same PostgreSQL database (needs --database-url),"
                    + " which claims and delivers beside the first; load is published to the first [default: 1]")
    int nodes = 1;
    @Option(names = "--herald-env", paramLabel = "NAME=VALUE",
            description = "A setting for every Herald the bench starts, on top of its own (repeatable), e.g. --herald-env"
                    + " HERALD_OTEL_ENDPOINT=http://127.0.0.1:4318 to measure tracing's cost, or --herald-env HERALD_AOT_CACHE=off"
                    + " to start without the launcher's start-up cache")
    java.util.Map<String, String> heraldEnv = new java.util.LinkedHashMap<>();

    private final PrintStream out;
    private Report report;

    BenchMain(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out).exitCode());
    }

    record Outcome(int exitCode, Report report) {
    }

    /** The CLI's entry: parses {@code args}, runs the bench and answers the exit code and the report (null on a usage error). */
    static Outcome run(String[] args, PrintStream out) {
        BenchMain main = new BenchMain(out);
        int code = new CommandLine(main).execute(args);
        return new Outcome(code, main.report);
    }

    @Override
    public Integer call() throws Exception {
        Sizes sizes = quick ? Sizes.quick() : Sizes.full();
        if (runs != null) {
            if (runs < 1 || runs > 20) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--runs must be from 1 to 20");
            }
            sizes = sizes.withRuns(runs);
        }
        if (nodes < 1 || nodes > 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes must be 1 or 2, was " + nodes);
        }
        if (nodes == 2 && (databaseUrl == null || databaseUrl.isBlank())) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--nodes 2 needs --database-url: two nodes share one PostgreSQL database (SQLite is one node)");
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>(only);
        unknown.removeAll(Bench.scenarioOrder());
        if (!unknown.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--only names unknown scenarios " + unknown + "; they are " + String.join(", ", Bench.scenarioOrder()));
        }
        for (String name : heraldEnv.keySet()) {
            if (!name.matches("[A-Z][A-Z0-9_]*")) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--herald-env needs NAME=VALUE with NAME an environment variable such as HERALD_OTEL_ENDPOINT, was " + name);
            }
        }
        Path herald = launcher != null ? launcher : findLauncher();
        Optional<String> db = Optional.ofNullable(databaseUrl).filter(s -> !s.isBlank());
        out.printf("herald-bench: %s mode, %d run(s) per figure, %s%s; each Herald started by %s serve on 127.0.0.1%s%n",
                sizes.mode(), sizes.runs(), db.isPresent() ? "PostgreSQL" : "embedded SQLite", nodes == 2 ? ", two nodes" : "", herald,
                heraldEnv.isEmpty() ? "" : " with " + String.join(", ", heraldEnv.keySet()) + " set");
        report = new Bench(sizes, herald, db, heraldEnv, nodes, out, only).run();
        report.print(out);
        report.writeJson(json);
        out.println("JSON: " + json.toAbsolutePath());
        return report.incomplete().isEmpty() ? 0 : 1;
    }

    /**
     * The repository's {@code herald} launcher: in the working directory or one above it (the repository root, or a
     * module directory when Maven runs the tests), else beside the bench jar's {@code herald-bench/target}.
     */
    private Path findLauncher() {
        List<Path> places = new java.util.ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        places.add(cwd);
        if (cwd.getParent() != null) {
            places.add(cwd.getParent());
        }
        try {
            Path code = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code.getParent(); p != null; p = p.getParent()) {
                places.add(p);
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // the working directory decides
        }
        for (Path p : places) {
            Path script = p.resolve("herald");
            if (Files.isRegularFile(script) && Files.isExecutable(script) && Files.isDirectory(p.resolve("herald-server"))) {
                return script;
            }
        }
        throw new CommandLine.ParameterException(new CommandLine(this),
                "cannot find the herald launcher (looked in " + places + "); run the bench from the repository, as ./herald bench");
    }
}
