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
 * beside its target (DESIGN.md) and, for delivery figures, as a fraction of the limit (the same client straight
 * to the receiver). Reports only; whether a target is met never changes the exit code.
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
    private static final Map<String, Target> TARGETS = Map.ofEntries(
            Map.entry("ingest-bulk/events/s", new Target(true, 20_000, ">= 20,000/s")),
            Map.entry("ingest-single/events/s", new Target(true, 5_000, ">= 5,000/s")),
            Map.entry("delivery-event/requests/s", new Target(true, 5_000, ">= 5,000/s")),
            Map.entry("delivery-batch/events/s", new Target(true, 50_000, ">= 50,000/s")),
            Map.entry("latency/p50 (ms)", new Target(false, 10, "<= 10 ms")),
            Map.entry("latency/p99 (ms)", new Target(false, 50, "<= 50 ms")),
            Map.entry("backlog/heap growth from backlog (MiB)", new Target(false, 32, "none (<= 32 MiB slack)")),
            Map.entry("failing-partners/healthy throughput vs all healthy", new Target(true, 0.9, ">= 0.90")),
            Map.entry("failing-partners/healthy p99 vs all healthy", new Target(false, 1.1, "<= 1.10")));
    /** Delivery figures and the limit figure each is compared with. */
    private static final Map<String, String> LIMITS = Map.of(
            "delivery-event/requests/s", "event requests/s",
            "delivery-batch/events/s", "batch events/s",
            "backlog/drain events/s", "batch events/s",
            "failing-partners/healthy requests/s", "event requests/s",
            "all-healthy/healthy requests/s", "event requests/s");

    private final Sizes sizes;
    private final String database;
    private final Map<String, List<Run>> runs = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private double durationSeconds;
    private final java.util.Set<String> skipped = new java.util.HashSet<>();

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
        Map<String, Double> limitMedians = new LinkedHashMap<>();
        runs.forEach((scenario, list) -> {
            Map<String, List<Double>> byFigure = new LinkedHashMap<>();
            for (Run r : list) {
                r.figures.forEach((k, v) -> byFigure.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            byFigure.forEach((figure, values) -> {
                Row row = row(scenario, figure, values, null);
                if (scenario.equals("limit")) {
                    limitMedians.put(figure, row.median());
                }
                rows.add(row);
            });
        });
        // fractions of the limit, and the failing-partners ratios, from the medians
        List<Row> withFractions = new ArrayList<>();
        for (Row r : rows) {
            String limitFigure = LIMITS.get(r.scenario() + "/" + r.figure());
            Double limit = limitFigure == null ? null : limitMedians.get(limitFigure);
            withFractions.add(limit == null || limit == 0 ? r
                    : new Row(r.scenario(), r.figure(), r.values(), r.median(), r.min(), r.max(), r.target(), r.median() / limit));
        }
        rows.clear();
        rows.addAll(withFractions);
        ratio("healthy requests/s", "healthy throughput vs all healthy");
        ratio("healthy p99 (ms)", "healthy p99 vs all healthy");
    }

    private void ratio(String figure, String name) {
        Row mixed = find("failing-partners", figure);
        Row healthy = find("all-healthy", figure);
        if (mixed != null && healthy != null && healthy.median() != 0) {
            double v = mixed.median() / healthy.median();
            int at = rows.indexOf(healthy) + 1;
            rows.add(at, row("failing-partners", name, List.of(v), null));
        }
    }

    private Row find(String scenario, String figure) {
        return rows.stream().filter(r -> r.scenario().equals(scenario) && r.figure().equals(figure)).findFirst().orElse(null);
    }

    private static Row row(String scenario, String figure, List<Double> values, Double fraction) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        Target target = figure.equals(PEAK_RSS) || figure.startsWith("RSS peak") ? RSS_TARGET : TARGETS.get(scenario + "/" + figure);
        return new Row(scenario, figure, values, median, sorted.get(0), sorted.get(n - 1), target, fraction);
    }

    void print(PrintStream out) {
        out.printf("%nHerald benchmark, %s mode (%d run%s per figure, median [min..max]), %s, %.0f s in all%n",
                sizes.mode(), sizes.runs(), sizes.runs() == 1 ? "" : "s", database, durationSeconds);
        String fmt = "%-16s %-37s %12s %12s %12s  %-22s %-5s %s%n";
        out.printf(fmt, "scenario", "figure", "median", "min", "max", "target", "met?", "of limit");
        out.println("-".repeat(128));
        for (Row r : rows) {
            out.printf(fmt, r.scenario(), r.figure(), format(r.median()), format(r.min()), format(r.max()),
                    r.target() == null ? "" : r.target().text(),
                    r.target() == null ? "" : r.target().met(r.median()) ? "yes" : "NO",
                    r.fractionOfLimit() == null ? "" : String.format(Locale.ROOT, "%.2f%s", r.fractionOfLimit(),
                            r.fractionOfLimit() >= 0.5 ? "" : " (< 0.5)"));
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
