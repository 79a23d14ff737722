package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's start-up cache, on a copy of the launcher and of the packaged jar in a directory of the test's own
 * (so the real cache is not touched): trained after a build, used by {@code serve}, never used for a jar it was not
 * made from (JDK 25.0.3 would run the old classes: JDK-8377932), and never in the way of a start.
 */
class LauncherTest {
    private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
    private static final String TOKEN = "launcher-test-admin-token-0123456789";
    private static final String TRAINING = "training the start-up cache";

    @TempDir
    Path root;
    private Path jar;
    private Path cache;

    @BeforeEach
    void copyTheLauncherAndTheJar() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads the JVM's command line from /proc");
        Path built = REPOSITORY.resolve("herald-server/target/herald.jar");
        if (!Files.exists(built)) {
            // why: Maven packages the jar before this module's tests in `mvn verify`; after a bare `mvn test`, build it
            assertThat(new ProcessBuilder(REPOSITORY.resolve("herald").toString(), "--version").inheritIO().start()
                    .waitFor()).isZero();
        }
        Files.copy(REPOSITORY.resolve("herald"), root.resolve("herald"));
        Files.setPosixFilePermissions(root.resolve("herald"), PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = root.resolve("herald-server/target/herald.jar");
        cache = root.resolve("herald-server/target/herald.aot");
        Files.createDirectories(jar.getParent());
        Files.copy(built, jar);
    }

    /** One {@code ./herald serve} of the copy, up to {@code /readyz} 200: what it printed to stderr, and the JVM's flags. */
    private record Start(String stderr, List<String> jvm) {
        boolean cached() {
            return jvm.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="));
        }
    }

    private Start serve(Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory(root, "data");
        Path err = root.resolve("stderr-" + port + ".txt");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("herald").toString(), "serve", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--data-dir", data.toString(), "--admin-token", TOKEN)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().remove("HERALD_AOT_CACHE");
        pb.environment().putAll(env);
        Process p = pb.start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).timeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (true) {
                assertThat(p.isAlive()).as("herald serve exited: %s", Files.exists(err) ? Files.readString(err) : "").isTrue();
                assertThat(System.nanoTime()).as("ready within 10 minutes").isLessThan(deadline);
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(50);
            }
            String cmdline = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline"), StandardCharsets.UTF_8);
            return new Start(Files.readString(err), List.of(cmdline.split("\0")));
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(1800) // why: two training runs; a safety net on a loaded machine, not a speed
    void theCacheIsMadeAfterABuildUsedForThatJarOnlyAndNeverStopsAStart() throws Exception {
        Start first = serve(Map.of());
        assertThat(first.stderr()).contains(TRAINING);
        assertThat(first.stderr().lines().filter(l -> l.contains(TRAINING)).count()).isEqualTo(1);
        assertThat(cache).exists();
        assertThat(first.jvm()).contains("-XX:AOTCache=" + cache).contains("-Xmx384m", "-XX:+UseG1GC");
        assertThat(first.jvm().getFirst()).endsWith("java");

        Start second = serve(Map.of());
        assertThat(second.stderr()).doesNotContain(TRAINING);
        assertThat(second.cached()).isTrue();

        // a different jar, even one that looks older than the cache: its cache is made anew, the old one never used
        replaceJarWithOneMoreEntry();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        String before = Files.readString(root.resolve("herald-server/target/herald.aot.id"));
        Start rebuilt = serve(Map.of());
        assertThat(rebuilt.stderr()).contains(TRAINING);
        assertThat(Files.readString(root.resolve("herald-server/target/herald.aot.id"))).isNotEqualTo(before);
        assertThat(rebuilt.cached()).isTrue();

        // a cache that cannot be read, under the right name: the JVM says so and Herald starts without it
        Files.write(cache, "not an AOT cache".getBytes(StandardCharsets.US_ASCII));
        Start broken = serve(Map.of());
        assertThat(broken.stderr()).doesNotContain(TRAINING);

        // switched off: neither made nor used
        Start off = serve(Map.of("HERALD_AOT_CACHE", "off"));
        assertThat(off.cached()).isFalse();
        assertThat(off.stderr()).doesNotContain(TRAINING);
    }

    /** Rewrites the copied jar with one more entry: another jar at the same path, as a rebuild makes. */
    private void replaceJarWithOneMoreEntry() throws IOException {
        Path rewritten = root.resolve("rewritten.jar");
        try (ZipFile in = new ZipFile(jar.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(rewritten))) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("launcher-test-marker.txt"));
            out.write("a rebuilt jar".getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        Files.move(rewritten, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
