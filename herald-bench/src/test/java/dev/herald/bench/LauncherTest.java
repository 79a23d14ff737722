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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.HashMap;
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
 * The launcher, on a copy of it in a directory of the test's own (so the repository's jar and cache are not touched),
 * run as CI runs it (no stdin, no terminal): it builds the jar when it is missing, trains the start-up cache once after
 * a build, uses it only for the jar and JDK it was made from (JDK 25.0.3 would run the old classes: JDK-8377932), and
 * never lets the cache stand in the way of a start. One training in all: the other cases make training impossible
 * (no temporary directory) so that they cost a start each, not a training.
 */
class LauncherTest {
    private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
    private static final Path BUILT = REPOSITORY.resolve("herald-server/target/herald.jar");
    private static final String TOKEN = "launcher-test-admin-token-0123456789";
    private static final String TRAINING = "training the start-up cache";
    private static final String NOT_MADE = "the start-up cache could not be made";
    private static final String BUILDING = "building the jar";

    @TempDir
    Path root;
    private Path jar;
    private Path cache;
    private Path cacheId;
    private Path fakeMaven;

    @BeforeEach
    void copyTheLauncher() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads the JVM's command line from /proc");
        if (!Files.exists(BUILT)) {
            // why: Maven packages the jar before this module's tests in `mvn verify`; after a bare `mvn test`, build it
            assertThat(new ProcessBuilder(REPOSITORY.resolve("herald").toString(), "--version").inheritIO()
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start().waitFor()).isZero();
        }
        Files.copy(REPOSITORY.resolve("herald"), root.resolve("herald"));
        Files.setPosixFilePermissions(root.resolve("herald"), PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = root.resolve("herald-server/target/herald.jar");
        cache = root.resolve("herald-server/target/herald.aot");
        cacheId = root.resolve("herald-server/target/herald.aot.id");
        // why: Maven as the launcher calls it, without a ten-minute build of a copy: it records its arguments and puts
        // the jar this build made where `package` would
        Path bin = Files.createDirectories(root.resolve("fake-bin"));
        fakeMaven = bin.resolve("mvn");
        Files.writeString(fakeMaven, "#!/bin/sh\necho \"$@\" >> \"" + root.resolve("mvn-calls.txt") + "\"\n"
                + "mkdir -p herald-server/target && cp \"" + BUILT + "\" herald-server/target/herald.jar\n");
        Files.setPosixFilePermissions(fakeMaven, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A finished launcher run: exit code, stdout, stderr. */
    private record Done(int code, String out, String err) {
    }

    /** One {@code ./herald serve} of the copy, up to {@code /readyz} 200: what it printed to stderr, and the JVM's flags. */
    private record Start(String stderr, List<String> jvm) {
        boolean cached() {
            return jvm.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="));
        }

        long lines(String text) {
            return stderr.lines().filter(l -> l.contains(text)).count();
        }
    }

    private ProcessBuilder launcher(Map<String, String> env, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("herald").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("HERALD_AOT_CACHE");
        pb.environment().put("CI", "true");
        pb.environment().put("PATH", fakeMaven.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        return pb;
    }

    private Done run(Map<String, String> env, String... args) throws Exception {
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        Process p = launcher(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Done(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Start serve(Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory(root, "data");
        Path err = root.resolve("stderr-" + port + ".txt");
        Process p = launcher(env, "serve", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--admin-token", TOKEN)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
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

    /** Where training cannot even begin: no temporary directory for it. */
    private Map<String, String> noTraining(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("TMPDIR", root.resolve("no-such-directory").toString());
        return env;
    }

    @Test
    @Timeout(1200) // why: one training run and eight starts; a safety net on a loaded machine, not a speed
    void theJarIsBuiltTheCacheMadeOnceUsedForItsJarAndJdkOnlyAndNeverInTheWayOfAStart() throws Exception {
        // a fresh checkout: no jar. serve builds it with Maven, trains the cache (one line), and runs with it
        Start first = serve(Map.of());
        assertThat(first.lines(BUILDING)).isEqualTo(1);
        assertThat(Files.readString(root.resolve("mvn-calls.txt"))).contains("package").contains("-pl herald-server -am")
                .contains("-DskipTests");
        assertThat(first.lines(TRAINING)).isEqualTo(1);
        assertThat(first.stderr()).doesNotContain(NOT_MADE);
        assertThat(cache).exists();
        assertThat(first.jvm()).contains("-XX:AOTCache=" + cache).contains("-Xmx384m", "-XX:+UseG1GC");
        assertThat(first.jvm().getFirst()).endsWith("java");

        // the next start: neither a build nor a training, the cache used
        Start second = serve(noTraining(Map.of()));
        assertThat(second.stderr()).doesNotContain(BUILDING).doesNotContain(TRAINING);
        assertThat(second.cached()).isTrue();

        // another JDK (here the same one at another path): the cache is not used; training it fails, Herald starts
        Path otherJdk = root.resolve("other-jdk");
        Files.createSymbolicLink(otherJdk, Path.of(first.jvm().getFirst()).toRealPath().getParent().getParent());
        Start otherJava = serve(noTraining(Map.of("HERALD_JAVA_HOME", otherJdk.toString())));
        assertThat(otherJava.jvm().getFirst()).startsWith(otherJdk.toString());
        assertThat(otherJava.cached()).isFalse();
        assertThat(otherJava.lines(TRAINING)).isEqualTo(1);
        assertThat(otherJava.lines(NOT_MADE)).isEqualTo(1);
        // ... and is not tried again on every start of that build
        Start otherAgain = serve(noTraining(Map.of("HERALD_JAVA_HOME", otherJdk.toString())));
        assertThat(otherAgain.stderr()).doesNotContain(TRAINING);
        assertThat(otherAgain.cached()).isFalse();
        // the first JDK's cache is still there and still used
        assertThat(serve(noTraining(Map.of())).cached()).isTrue();

        // a different jar, even one that looks older than the cache: the old cache is never used for it
        replaceJarWithOneMoreEntry();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Start rebuilt = serve(noTraining(Map.of()));
        assertThat(rebuilt.lines(TRAINING)).isEqualTo(1);
        assertThat(rebuilt.lines(NOT_MADE)).isEqualTo(1);
        assertThat(rebuilt.cached()).isFalse();

        // a cache that cannot be read, under the right name and for this jar: the JVM says so and Herald starts
        Files.copy(root.resolve("herald-server/target/herald.aot.failed"), cacheId, StandardCopyOption.REPLACE_EXISTING);
        Files.write(cache, "not an AOT cache".getBytes(StandardCharsets.US_ASCII));
        Start broken = serve(noTraining(Map.of()));
        assertThat(broken.cached()).isTrue();
        assertThat(broken.stderr()).doesNotContain(TRAINING);

        // switched off: neither made nor used (the cache above would be)
        Start off = serve(Map.of("HERALD_AOT_CACHE", "off"));
        assertThat(off.cached()).isFalse();
        assertThat(off.stderr()).doesNotContain(TRAINING);
    }

    @Test
    @Timeout(300)
    void helpAndVersionAnswerWithoutTrainingAndTheTrainingCommandStaysHidden() throws Exception {
        Files.createDirectories(jar.getParent());
        Files.copy(BUILT, jar);

        Done help = run(Map.of(), "--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).contains("Usage: herald").contains("serve").doesNotContain("train");

        Done serveHelp = run(Map.of(), "serve", "--help");
        assertThat(serveHelp.code()).as(serveHelp.err()).isZero();
        assertThat(serveHelp.out()).contains("Usage: herald serve").contains("--port").contains("--data-dir");
        assertThat(serveHelp.err()).doesNotContain(TRAINING);
        assertThat(cache).doesNotExist();

        Done version = run(Map.of(), "serve", "--version");
        assertThat(version.code()).as(version.err()).isZero();
        assertThat(version.err()).doesNotContain(TRAINING);
        assertThat(cache).doesNotExist();
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
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
    }
}
