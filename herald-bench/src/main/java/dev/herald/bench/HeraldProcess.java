package dev.herald.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One Herald in a child JVM ({@code java -cp <classpath> dev.herald.cli.Main serve}), with a fresh data
 * directory (and, on PostgreSQL, a fresh database) that is removed when it is closed. Samples its resident
 * size while it lives, and reads its heap from {@code /metrics}.
 */
final class HeraldProcess implements AutoCloseable {
    static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    static final MediaType JSON = MediaType.get("application/json");
    private static final AtomicInteger NEXT_DB = new AtomicInteger();

    final String base;
    final long pid;
    private final Process process;
    private final Path dataDir;
    private final OkHttpClient http;
    private final Poster poster;
    private final Optional<String> adminJdbcUrl;
    private final String dbName;
    private final AtomicLong peakRss = new AtomicLong();
    private final Thread sampler;
    private volatile boolean closed;

    private HeraldProcess(Process process, String base, Path dataDir, OkHttpClient http, Optional<String> adminJdbcUrl, String dbName) {
        this.process = process;
        this.pid = process.pid();
        this.base = base;
        this.dataDir = dataDir;
        this.http = http;
        this.poster = new Poster("127.0.0.1", java.net.URI.create(base).getPort(), ADMIN_TOKEN);
        this.adminJdbcUrl = adminJdbcUrl;
        this.dbName = dbName;
        this.sampler = Thread.ofPlatform().daemon().name("rss-sampler-" + pid).start(this::sample);
    }

    /**
     * Starts a Herald and waits (at most 90 s) until {@code /readyz} answers 200.
     *
     * @param classpath the classpath holding {@code dev.herald.cli.Main} and its dependencies
     * @param databaseUrl a PostgreSQL server to create a fresh database on, or empty for SQLite
     */
    static HeraldProcess start(String classpath, Optional<String> databaseUrl, OkHttpClient http) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("herald-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Optional<String> admin = databaseUrl.map(HeraldProcess::toJdbc);
        String dbName = null;
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx384m", "-XX:+UseG1GC",
                "-cp", classpath, "dev.herald.cli.Main", "serve");
        pb.environment().put("HERALD_PORT", Integer.toString(port));
        pb.environment().put("HERALD_DATA_DIR", dataDir.toString());
        pb.environment().put("HERALD_ADMIN_TOKEN", ADMIN_TOKEN);
        pb.environment().put("HERALD_ALLOW_PRIVATE_TARGETS", "true");
        pb.environment().remove("HERALD_DATABASE_URL");
        if (admin.isPresent()) {
            dbName = "herald_bench_" + ProcessHandle.current().pid() + "_" + NEXT_DB.incrementAndGet();
            try (Connection c = DriverManager.getConnection(admin.get())) {
                c.createStatement().execute("CREATE DATABASE " + dbName);
            } catch (SQLException e) {
                deleteTree(dataDir);
                throw new IllegalStateException("cannot create the bench database " + dbName + ": " + e.getMessage(), e);
            }
            pb.environment().put("HERALD_DATABASE_URL", admin.get().replaceFirst("/[^/?]*(\\?|$)", "/" + dbName + "$1"));
        }
        pb.redirectErrorStream(true).redirectOutput(new File(dataDir.toFile(), "child.log"));
        Process p = pb.start();
        HeraldProcess h = new HeraldProcess(p, "http://127.0.0.1:" + port, dataDir, http, admin, dbName);
        try {
            h.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void awaitReady(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the child Herald exited with " + process.exitValue() + ":\n" + logTail());
            }
            try (Response r = http.newCall(new Request.Builder().url(base + "/readyz").build()).execute()) {
                if (r.code() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the child Herald was not ready within " + max + ":\n" + logTail());
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("child.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Calls answered 503 ("try again shortly") and sent again, in this JVM. */
    static final AtomicLong RETRIED_503 = new AtomicLong();

    /**
     * An admin call; answers the body, and fails on anything but the expected status. A 503 is sent again (at most
     * 3 times, 200 ms apart) as the API asks, and counted in {@link #RETRIED_503}.
     */
    String call(String method, String path, String json, int expected) throws IOException {
        return retrying503(() -> callOnce(method, path, json, expected));
    }

    /** A publish through the lean {@link Poster}, with the same expectations and 503 handling as {@link #call}. */
    String publish(String path, String json, int expected) throws IOException {
        return retrying503(() -> {
            Poster.Answer a = poster.post(path, json);
            return check("POST", path, expected, a.status(), a.body());
        });
    }

    private interface Exchange {
        String run() throws IOException;
    }

    private static String retrying503(Exchange exchange) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange.run();
            } catch (Unavailable e) {
                RETRIED_503.incrementAndGet();
                if (attempt >= 4) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static String check(String method, String path, int expected, int code, String text) throws IOException {
        if (code == 503 && expected != 503) {
            throw new Unavailable(method + " " + path + " answered 503: " + text);
        }
        if (code != expected) {
            throw new IOException(method + " " + path + " answered " + code + " (expected " + expected + "): " + text);
        }
        return text;
    }

    private static final class Unavailable extends IOException {
        Unavailable(String message) {
            super(message);
        }
    }

    private String callOnce(String method, String path, String json, int expected) throws IOException {
        RequestBody body = json == null ? null : RequestBody.create(json, JSON);
        Request req = new Request.Builder().url(base + path).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, body).build();
        try (Response r = http.newCall(req).execute()) {
            return check(method, path, expected, r.code(), r.body().string());
        }
    }

    /** Resident set size in bytes, from {@code /proc/<pid>/status} VmRSS; 0 where there is no /proc. */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            // the process is gone, or this is not Linux
        }
        return 0;
    }

    long peakRss() {
        return Math.max(peakRss.get(), rss());
    }

    /** Heap in use: the sum of {@code jvm_memory_used_bytes{area="heap",...}} on {@code /metrics}. */
    long heap() throws IOException {
        try (Response r = http.newCall(new Request.Builder().url(base + "/metrics").build()).execute()) {
            long sum = 0;
            for (String line : r.body().string().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }

    /** Asks the child for a full GC ({@code jcmd <pid> GC.run}) so a heap reading shows the live set; false when jcmd is missing. */
    boolean gc() throws InterruptedException {
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) {
            return false;
        }
        Path jcmd = Path.of(java.get()).resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void sample() {
        while (!closed && process.isAlive()) {
            peakRss.accumulateAndGet(rss(), Math::max);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the child (SIGTERM, then SIGKILL after 10 s), drops its database and deletes its data directory. */
    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
        poster.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (dbName != null) {
            try (Connection c = DriverManager.getConnection(adminJdbcUrl.orElseThrow())) {
                c.createStatement().execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("herald-bench: could not drop database " + dbName + ": " + e.getMessage());
            }
        }
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        } catch (IOException e) {
            return;
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort: a temp directory
            }
        }
    }

    /** A {@code postgresql://user:pw@host:port/db} URL as a {@code jdbc:postgresql:} URL with credentials (as the tests do). */
    static String toJdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        java.net.URI u = java.net.URI.create(url);
        String[] userInfo = u.getUserInfo() == null ? new String[0] : u.getUserInfo().split(":", 2);
        String query = "user=" + (userInfo.length > 0 ? userInfo[0] : "postgres")
                + (userInfo.length > 1 ? "&password=" + userInfo[1] : "");
        String path = u.getPath() == null || u.getPath().isEmpty() ? "/postgres" : u.getPath();
        return "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + path + "?" + query;
    }
}
