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
import java.util.Map;
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
 * One Herald started the way users start it: {@code ./herald serve --port … --data-dir … --admin-token …}, the
 * repository's launcher, which picks the JDK, adds its JVM flags and its start-up (AOT) cache, and {@code exec}s
 * the JVM, so the child's process id is the JVM's. Each gets a fresh data directory (and, on PostgreSQL, a fresh
 * database) that is removed when it is closed. Samples its resident size while it lives, and reads its heap from
 * {@code /metrics}.
 */
final class HeraldProcess implements AutoCloseable {
    static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    static final MediaType JSON = MediaType.get("application/json");
    private static final AtomicInteger NEXT_DB = new AtomicInteger();

    final String base;
    final long pid;
    /** From launching {@code ./herald serve} to {@code /readyz} answering 200. */
    final Duration startToReady;
    /** When {@code /readyz} first answered 200 ({@link System#nanoTime()}). */
    final long readyAt;
    private final Process process;
    private final Path dataDir;
    /** The JDBC URL Herald was given (its own database on the bench's PostgreSQL), or null on SQLite. */
    private final String databaseUrl;
    private final OkHttpClient http;
    private final Poster poster;
    private final Optional<String> adminJdbcUrl;
    private final String dbName;
    private final AtomicLong peakRss = new AtomicLong();
    private final Thread sampler;
    private volatile boolean closed;

    private HeraldProcess(Process process, long launchedAt, String base, Path dataDir, OkHttpClient http,
                          Optional<String> adminJdbcUrl, String dbName, String databaseUrl) throws InterruptedException {
        this.process = process;
        this.databaseUrl = databaseUrl;
        this.pid = process.pid();
        this.base = base;
        this.dataDir = dataDir;
        this.http = http;
        this.poster = new Poster("127.0.0.1", java.net.URI.create(base).getPort(), ADMIN_TOKEN);
        this.adminJdbcUrl = adminJdbcUrl;
        this.dbName = dbName;
        this.sampler = Thread.ofPlatform().daemon().name("rss-sampler-" + pid).start(this::sample);
        Duration ready;
        try {
            ready = awaitReady(launchedAt, Duration.ofSeconds(300));
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        this.startToReady = ready;
        this.readyAt = launchedAt + ready.toNanos();
    }

    /**
     * Starts a Herald through the launcher and waits (at most 300 s, which includes a build and the cache's
     * training when the launcher needs them) until {@code /readyz} answers 200.
     *
     * @param launcher the repository's {@code herald} script
     * @param databaseUrl a PostgreSQL server to create a fresh database on, or empty for SQLite
     */
    static HeraldProcess start(Path launcher, Optional<String> databaseUrl, Map<String, String> env, OkHttpClient http)
            throws IOException, InterruptedException {
        Optional<String> admin = databaseUrl.map(HeraldProcess::toJdbc);
        if (admin.isEmpty()) {
            return launch(launcher, null, env, http, admin, null);
        }
        String dbName = "herald_bench_" + ProcessHandle.current().pid() + "_" + NEXT_DB.incrementAndGet();
        try (Connection c = DriverManager.getConnection(admin.get())) {
            c.createStatement().execute("CREATE DATABASE " + dbName);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the bench database " + dbName + ": " + e.getMessage(), e);
        }
        String heraldDb = admin.get().replaceFirst("/[^/?]*(\\?|$)", "/" + dbName + "$1");
        return launch(launcher, heraldDb, env, http, admin, dbName);
    }

    /**
     * A second node on this Herald's PostgreSQL database (the same data, its own port and data directory): it claims
     * and delivers beside this one. Closing it leaves the database alone; this node drops it when it is closed.
     */
    HeraldProcess peer(Path launcher, Map<String, String> env) throws IOException, InterruptedException {
        if (databaseUrl == null) {
            throw new IllegalStateException("a second node needs PostgreSQL (--database-url); SQLite is one node");
        }
        return launch(launcher, databaseUrl, env, http, Optional.empty(), null);
    }

    private static HeraldProcess launch(Path launcher, String heraldDb, Map<String, String> env, OkHttpClient http,
                                        Optional<String> admin, String dbName) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("herald-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString(), "--admin-token", ADMIN_TOKEN);
        // why: the receiver is on loopback, which Herald refuses as a target unless told otherwise
        pb.environment().put("HERALD_ALLOW_PRIVATE_TARGETS", "true");
        pb.environment().remove("HERALD_DATABASE_URL");
        if (heraldDb != null) {
            pb.environment().put("HERALD_DATABASE_URL", heraldDb);
        }
        // why: last, so a measurement may set any of Herald's settings (HERALD_OTEL_ENDPOINT for tracing's cost, say)
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(new File(dataDir.toFile(), "child.log"));
        long launchedAt = System.nanoTime();
        Process p = pb.start();
        return new HeraldProcess(p, launchedAt, "http://127.0.0.1:" + port, dataDir, http, admin, dbName, heraldDb);
    }

    /** The command line of the running JVM (after the launcher's {@code exec}), from {@code /proc}; empty where there is none. */
    List<String> commandLine() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            List<String> args = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, from, i - from, java.nio.charset.StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            return args;
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** Polls {@code /readyz} every 5 ms (a refused connection costs microseconds) and answers the time from launch to its 200. */
    private Duration awaitReady(long launchedAt, Duration max) throws InterruptedException {
        long deadline = launchedAt + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the child Herald exited with " + process.exitValue() + ":\n" + logTail());
            }
            try (Response r = http.newCall(new Request.Builder().url(base + "/readyz").build()).execute()) {
                if (r.code() == 200) {
                    return Duration.ofNanos(System.nanoTime() - launchedAt);
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(5);
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
        List<String> cmd = commandLine();
        Optional<String> java = cmd.isEmpty() ? ProcessHandle.current().info().command() : Optional.of(cmd.get(0));
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
