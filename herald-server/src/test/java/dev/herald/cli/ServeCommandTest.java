package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code herald serve} fails at start: one line on stderr and an exit code, never a stack trace. */
class ServeCommandTest {
    private static final String TOKEN = "serve-test-admin-token-0123456789";

    @TempDir
    Path tmp;

    /** Runs {@code herald serve} in this JVM for a start that fails; answers the exit code and what went to stderr. */
    private record Run(int exitCode, String err) {
    }

    private static Run inProcess(String... args) {
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("serve"));
        all.addAll(List.of(args));
        String[] line = all.toArray(String[]::new);
        CommandLine cli = Main.commandLine(new Main(), line);
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(line);
        return new Run(code, err.toString());
    }

    @Test
    void anUnreachableDatabaseIsOneLineNamingItWithoutThePasswordAndExitCode1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        // why: a child JVM, so everything the process writes to stderr is seen, and its real exit code
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--port", "0", "--bind", "127.0.0.1", "--data-dir", tmp.toString(),
                "--admin-token", TOKEN,
                "--database-url", "postgresql://herald:pw-very-secret@127.0.0.1:" + closed + "/heralddb")
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("herald serve gave up").isTrue();
        String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
        String out = Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(err).isEqualTo(1);
        assertThat(err.lines().toList()).as(err).hasSize(1);
        assertThat(err).startsWith("herald: cannot reach PostgreSQL at 127.0.0.1:" + closed + ", database heralddb: ")
                .contains("connection refused")
                .doesNotContain("pw-very-secret");
        assertThat(out).doesNotContain("pw-very-secret").doesNotContain("\tat ");
    }

    @Test
    void aBindAddressThatIsNotOneIsExitCode2() {
        Run run = inProcess("--port", "0", "--data-dir", tmp.toString(), "--admin-token", TOKEN, "--bind", "nowhere.invalid");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).contains("HERALD_BIND").contains("'nowhere.invalid'");
    }

    @Test
    void aBindAddressOfAnotherMachineIsExitCode2() {
        // why: 192.0.2.1 is TEST-NET-1 (RFC 5737), never an address of this machine
        Run run = inProcess("--port", "0", "--data-dir", tmp.toString(), "--admin-token", TOKEN, "--bind", "192.0.2.1");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("HERALD_BIND").contains("192.0.2.1");
    }

    @Test
    void theAdminTokenAndItsFileTogetherAreExitCode2() throws IOException {
        Path file = tmp.resolve("token");
        Files.writeString(file, TOKEN + "\n");

        Run run = inProcess("--port", "0", "--data-dir", tmp.toString(), "--admin-token", TOKEN, "--admin-token-file", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("HERALD_ADMIN_TOKEN and HERALD_ADMIN_TOKEN_FILE are both set").doesNotContain(TOKEN);
    }

    @Test
    void aKeyFileThatDoesNotExistIsOneLineAndExitCode2() {
        Path missing = tmp.resolve("missing-key");

        Run result = inProcess("--data-dir", tmp.resolve("data").toString(), "--port", "0", "--admin-token", TestHerald.ADMIN,
                "--encryption-key-file", missing.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("herald: HERALD_ENCRYPTION_KEY_FILE: " + missing + " does not exist; it must hold"
                + " the base64 of 32 random bytes (make one with: openssl rand -base64 32)" + System.lineSeparator());
    }

    @Test
    void encryptedRowsAndNoKeyIsOneLineNamingTheKeyIdAndExitCode2() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(tmp.resolve("key"), Base64.getEncoder().encodeToString(key) + "\n");
        Path data = tmp.resolve("data");
        try (TestHerald h = TestHerald.builder().set(HeraldConfig.DATA_DIR, data.toString())
                .set(HeraldConfig.ENCRYPTION_KEY_FILE, keyFile.toString()).start()) {
            h.seed("acme");
            assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\"}").status()).isEqualTo(201);
        }
        String keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 8);

        Run result = inProcess("--data-dir", data.toString(), "--port", "0", "--admin-token", TestHerald.ADMIN);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("herald: the database holds 1 endpoint secret(s) encrypted under key id " + keyId
                + ", but HERALD_ENCRYPTION_KEY_FILE is not set; set it to the file holding that key" + System.lineSeparator());
    }
}
