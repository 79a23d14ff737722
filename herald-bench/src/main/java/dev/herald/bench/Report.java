package dev.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the bench measured: every run of every scenario, and per figure the median, min and max over the runs,
 * beside its target (DESIGN.md, on the default rows only) and, for delivery figures, as a fraction of the limit at
 * the same concurrency (the same client straight to the receiver). After the table, each of DESIGN.md's targets
 * with met / not met. Reports only; whether a target is met never changes the exit code.
 */
final class Report {
    /** A figure's target: {@code atLeast} or at most {@code threshold}. */
    record Target(boolean atLeast, double threshold, String text) {
        boolean met(double v) {
            return atLeast ? v >= threshold : v <= threshold;
        }
    }

    record Row(String scenario, String figure, List<Double> values, double median, double min, double max,
               Target target, Double fractionOfLimit) {
    }

    /** One run of one scenario: its figures, and how many events it published and saw delivered (or acknowledged). */
    static final class Run {
        final long published;
        final long delivered;
        final String error;
        final Map<String, Double> figures = new LinkedHashMap<>();
        /** Figures measured several times within the run (each launch of {@code start}): every value counts in the row. */
        final Map<String, List<Double>> samples = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();

        private Run(long published, long delivered, String error) {
            this.published = published;
            this.delivered = delivered;
            this.error = error;
        }

        static Run of(long published, long delivered) {
            return new Run(published, delivered, null);
        }

        static Run failed(String error) {
            return new Run(0, 0, error);
        }

        Run figure(String name, double value) {
            figures.put(name, value);
            return this;
        }

        /** Several values of one figure; the run's own figure is their median, the row takes every value. */
        Run samples(String name, List<Double> values) {
            samples.put(name, List.copyOf(values));
            return values.isEmpty() ? this : figure(name, median(values));
        }

        Run note(String note) {
            if (note != null) {
                notes.add(note);
            }
            return this;
        }

        Run withPeakRss(long bytes) {
            return figure(PEAK_RSS, bytes / (1024.0 * 1024.0));
        }

        boolean complete() {
            return error == null && delivered >= published;
        }

        String summary() {
            if (error != null) {
                return "FAILED: " + error.lines().findFirst().orElse(error);
            }
            StringBuilder b = new StringBuilder();
            figures.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(format(v)));
            b.append(" [").append(delivered).append('/').append(published).append(" delivered]");
            notes.forEach(n -> b.append(" (").append(n).append(')'));
            return b.toString();
        }
    }

    static final String PEAK_RSS = "peak RSS (MiB)";
    private static final Target RSS_TARGET = new Target(false, 512, "<= 512 MiB");
    /** The targets of single figures, on the default rows (DESIGN.md "Targets" and "Scheduling rules"). */
    private static final Map<String, Target> TARGETS = Map.ofEntries(
            Map.entry("start/ready (ms)", new Target(false, 1_000, "<= 1,000 ms")),
            Map.entry("ingest-bulk/events/s", new Target(true, 20_000, ">= 20,000/s")),
            Map.entry("ingest-single/events/s", new Target(true, 5_000, ">= 5,000/s")),
            Map.entry("delivery-event/requests/s", new Target(true, 5_000, ">= 5,000/s")),
            Map.entry("delivery-batch/events/s", new Target(true, 50_000, ">= 50,000/s")),
            Map.entry("latency/p50 (ms)", new Target(false, 5, "<= 5 ms")),
            Map.entry("latency/p99 (ms)", new Target(false, 25, "<= 25 ms")),
            Map.entry("latency-cold/p99 vs warm p99", new Target(false, 2, "<= 2.00")),
            Map.entry("backlog/heap growth from backlog (MiB)", new Target(false, 32, "none (<= 32 MiB slack)")),
            Map.entry("failing-partners/healthy throughput vs all healthy", new Target(true, 0.9, ">= 0.90")),
            Map.entry("failing-partners/healthy p99 vs all healthy", new Target(false, 1.1, "<= 1.10")));
    /** The figure's limit: the same client at the same concurrency ({@code limit} 8, {@code limit-tuned} 64). */
    private static final Map<String, String> LIMITS = Map.of(
            "delivery-event/requests/s", "limit/event requests/s",
            "delivery-batch/events/s", "limit/batch events/s",
            "backlog/drain events/s", "limit/batch events/s",
            "delivery-event-tuned/requests/s", "limit-tuned/event requests/s",
            "delivery-batch-tuned/events/s", "limit-tuned/batch events/s");
    /** Scenarios whose rows are judged against the targets: the defaults, never a tuned twin. */
    private static final java.util.Set<String> DEFAULT_ROWS = java.util.Set.of("start", "ingest-bulk", "ingest-single",
            "delivery-event", "delivery-batch", "latency", "latency-cold", "backlog", "failing-partners", "all-healthy");

    /** One of DESIGN.md's targets, judged on this run: the figure it reads, its value, and whether it is met (null: not measured). */
    record Check(String target, String figure, Double value, String rule, Boolean met) {
    }

    private final Sizes sizes;
    private final String database;
    private final Map<String, List<Run>> runs = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private double durationSeconds;
    private final java.util.Set<String> skipped = new java.util.HashSet<>();
    private final List<Check> checks = new ArrayList<>();
    private List<String> heraldCommand = List.of();

    /** The command line Herald's JVM ran with, as the launcher made it. */
    void heraldCommand(List<String> command) {
        heraldCommand = List.copyOf(command);
    }

    List<Check> checks() {
        return checks;
    }

    void skip(String scenario) {
        skipped.add(scenario);
    }

    Report(Sizes sizes, String database) {
        this.sizes = sizes;
        this.database = database;
        for (String s : Bench.scenarioOrder()) {
            runs.put(s, new ArrayList<>());
        }
    }

    void add(String scenario, int run, Run result) {
        runs.computeIfAbsent(scenario, k -> new ArrayList<>()).add(result);
    }

    Map<String, List<Run>> runs() {
        return runs;
    }

    List<Row> rows() {
        return rows;
    }

    double durationSeconds() {
        return durationSeconds;
    }

    /** Scenario runs that failed or did not deliver every event they published. */
    List<String> incomplete() {
        List<String> bad = new ArrayList<>();
        runs.forEach((name, list) -> {
            if (list.isEmpty() && !skipped.contains(name)) {
                bad.add(name + ": never ran");
            }
            for (int i = 0; i < list.size(); i++) {
                Run r = list.get(i);
                if (!r.complete()) {
                    bad.add(name + " run " + (i + 1) + ": " + r.summary());
                }
            }
        });
        return bad;
    }

    void finish(double seconds) {
        durationSeconds = seconds;
        runs.forEach((scenario, list) -> {
            Map<String, List<Double>> byFigure = new LinkedHashMap<>();
            for (Run r : list) {
                r.figures.forEach((k, v) -> byFigure.computeIfAbsent(k, x -> new ArrayList<>())
                        .addAll(r.samples.containsKey(k) ? r.samples.get(k) : List.of(v)));
            }
            byFigure.forEach((figure, values) -> rows.add(row(scenario, figure, values, null)));
        });
        // fractions of the limit at the same concurrency, from the medians
        List<Row> withFractions = new ArrayList<>();
        for (Row r : rows) {
            String limitKey = LIMITS.get(r.scenario() + "/" + r.figure());
            Row limit = limitKey == null ? null : find(limitKey.substring(0, limitKey.indexOf('/')), limitKey.substring(limitKey.indexOf('/') + 1));
            withFractions.add(limit == null || limit.median() == 0 ? r
                    : new Row(r.scenario(), r.figure(), r.values(), r.median(), r.min(), r.max(), r.target(), r.median() / limit.median()));
        }
        rows.clear();
        rows.addAll(withFractions);
        ratio("failing-partners", "all-healthy", "healthy requests/s", "healthy throughput vs all healthy");
        ratio("failing-partners", "all-healthy", "healthy p99 (ms)", "healthy p99 vs all healthy");
        ratio("failing-partners-tuned", "all-healthy-tuned", "healthy requests/s", "healthy throughput vs all healthy");
        ratio("failing-partners-tuned", "all-healthy-tuned", "healthy p99 (ms)", "healthy p99 vs all healthy");
        ratio("latency-cold", "latency", "p99 (ms)", "p99 vs warm p99");
        judge();
    }

    /** {@code a}'s figure over {@code b}'s, as a row of {@code a} placed after {@code b}'s figure. */
    private void ratio(String a, String b, String figure, String name) {
        Row x = find(a, figure);
        Row y = find(b, figure);
        if (x != null && y != null && y.median() != 0) {
            int at = Math.max(rows.indexOf(x), rows.indexOf(y)) + 1;
            rows.add(at, row(a, name, List.of(x.median() / y.median()), null));
        }
    }

    /** DESIGN.md's targets, each judged on the default rows. */
    private void judge() {
        checks.clear();
        check("start: ./herald serve ready in <= 1 s (jar built, fresh data directory)", "start", "ready (ms)");
        check("ingest: >= 20,000 events/s through the bulk API", "ingest-bulk", "events/s");
        check("ingest: >= 5,000 events/s single POSTs", "ingest-single", "events/s");
        check("delivery: >= 5,000 requests/s, format event, one endpoint on its defaults", "delivery-event", "requests/s");
        check("delivery: >= 50,000 events/s in batches of 100", "delivery-batch", "events/s");
        fraction("delivery: format event at least half of the same client at the same concurrency (8)", "delivery-event", "requests/s");
        fraction("delivery: batches at least half of the same client at the same concurrency (8)", "delivery-batch", "events/s");
        check("latency at 1,000 events/s, default endpoint (warm): p50 <= 5 ms", "latency", "p50 (ms)");
        check("latency at 1,000 events/s, default endpoint (warm): p99 <= 25 ms", "latency", "p99 (ms)");
        check("start: the first seconds at 500 events/s within 2x of the warm p99", "latency-cold", "p99 vs warm p99");
        Double rss = rows.stream().filter(r -> DEFAULT_ROWS.contains(r.scenario()) && r.figure().equals(PEAK_RSS))
                .map(Row::max).max(Double::compare).orElse(null);
        checks.add(new Check("memory: resident size <= 512 MiB under these loads", "peak RSS of every default scenario (MiB)",
                rss, RSS_TARGET.text(), rss == null ? null : RSS_TARGET.met(rss)));
        check("memory: a backlog of 1,000,000 undelivered events does not grow the heap", "backlog", "heap growth from backlog (MiB)");
        check("scheduling: failing partners do not slow the healthy ones", "failing-partners", "healthy throughput vs all healthy");
    }

    private void check(String target, String scenario, String figure) {
        Row r = find(scenario, figure);
        Target t = TARGETS.get(scenario + "/" + figure);
        checks.add(new Check(target, scenario + " / " + figure, r == null ? null : r.median(), t.text(),
                r == null ? null : t.met(r.median())));
    }

    private void fraction(String target, String scenario, String figure) {
        Row r = find(scenario, figure);
        Double f = r == null ? null : r.fractionOfLimit();
        checks.add(new Check(target, scenario + " / " + figure + " of limit", f, ">= 0.50", f == null ? null : f >= 0.5));
    }

    private Row find(String scenario, String figure) {
        return rows.stream().filter(r -> r.scenario().equals(scenario) && r.figure().equals(figure)).findFirst().orElse(null);
    }

    private static Row row(String scenario, String figure, List<Double> values, Double fraction) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        Target target = !DEFAULT_ROWS.contains(scenario) ? null
                : figure.equals(PEAK_RSS) || figure.startsWith("RSS peak") ? RSS_TARGET : TARGETS.get(scenario + "/" + figure);
        return new Row(scenario, figure, values, median(values), sorted.get(0), sorted.get(n - 1), target, fraction);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    void print(PrintStream out) {
        out.printf("%nHerald benchmark, %s mode (%d run%s per figure, median [min..max]), %s, %.0f s in all%n",
                sizes.mode(), sizes.runs(), sizes.runs() == 1 ? "" : "s", database, durationSeconds);
        if (!heraldCommand.isEmpty()) {
            out.println("Herald ran as: ./herald serve, that is " + String.join(" ", heraldCommand));
        }
        String fmt = "%-22s %-37s %12s %12s %12s  %-22s %-5s %s%n";
        out.printf(fmt, "scenario", "figure", "median", "min", "max", "target", "met?", "of limit");
        out.println("-".repeat(134));
        for (Row r : rows) {
            out.printf(fmt, r.scenario(), r.figure(), format(r.median()), format(r.min()), format(r.max()),
                    r.target() == null ? "" : r.target().text(),
                    r.target() == null ? "" : r.target().met(r.median()) ? "yes" : "NO",
                    r.fractionOfLimit() == null ? "" : String.format(Locale.ROOT, "%.2f%s", r.fractionOfLimit(),
                            r.fractionOfLimit() >= 0.5 ? "" : " (< 0.5)"));
        }
        out.println();
        out.println("Targets (DESIGN.md), on the defaults a user gets:");
        for (Check c : checks) {
            out.printf("  %-5s %-84s %s%n", c.met() == null ? "n/a" : c.met() ? "met" : "NOT",
                    c.target(), c.value() == null ? "not measured" : format(c.value()) + " (" + c.figure() + ", " + c.rule() + ")");
        }
        List<String> bad = incomplete();
        out.println();
        if (bad.isEmpty()) {
            out.println("Every scenario ran and delivered every event it published.");
        } else {
            out.println("Incomplete:");
            bad.forEach(b -> out.println("  " + b));
        }
        runs.forEach((name, list) -> list.stream().flatMap(r -> r.notes.stream()).distinct()
                .forEach(n -> out.println("Note, " + name + ": " + n)));
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("mode", sizes.mode());
        root.put("database", database);
        root.put("runs_per_figure", sizes.runs());
        root.put("duration_s", durationSeconds);
        root.put("sizes", sizes);
        root.put("herald_command", heraldCommand);
        List<Map<String, Object>> figures = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("figure", r.figure());
            m.put("median", r.median());
            m.put("min", r.min());
            m.put("max", r.max());
            m.put("values", r.values());
            m.put("target", r.target() == null ? null : r.target().text());
            m.put("met", r.target() == null ? null : r.target().met(r.median()));
            m.put("fraction_of_limit", r.fractionOfLimit());
            figures.add(m);
        }
        root.put("figures", figures);
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", c.target());
            m.put("figure", c.figure());
            m.put("value", c.value());
            m.put("rule", c.rule());
            m.put("met", c.met());
            targets.add(m);
        }
        root.put("targets", targets);
        Map<String, Object> scenarioRuns = new LinkedHashMap<>();
        runs.forEach((name, list) -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Run r : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("published", r.published);
                m.put("delivered", r.delivered);
                m.put("complete", r.complete());
                m.put("error", r.error);
                m.put("notes", r.notes);
                m.put("figures", r.figures);
                if (!r.samples.isEmpty()) {
                    m.put("samples", r.samples);
                }
                out.add(m);
            }
            scenarioRuns.put(name, out);
        });
        root.put("runs", scenarioRuns);
        root.put("incomplete", incomplete());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Bench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
