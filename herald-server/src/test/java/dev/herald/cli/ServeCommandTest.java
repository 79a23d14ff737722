package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What an operator sees when {@code herald serve} cannot start: exit code 2 and one line. */
@Timeout(60) // why: a serve that starts after all would wait for a shutdown that never comes
class ServeCommandTest {
    @TempDir
    Path dir;

    /** Runs {@code herald serve} with {@code args}; answers the exit code and what it printed on stderr. */
    private static String[] serve(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new ServeCommand()).execute(args);
            return new String[] {Integer.toString(code), captured.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void aKeyFileThatDoesNotExistIsOneLineAndExitCode2() {
        Path missing = dir.resolve("missing-key");

        String[] result = serve("--data-dir", dir.resolve("data").toString(), "--port", "0", "--admin-token", TestHerald.ADMIN,
                "--encryption-key-file", missing.toString());

        assertThat(result[0]).isEqualTo("2");
        assertThat(result[1]).isEqualTo("herald: HERALD_ENCRYPTION_KEY_FILE: " + missing + " does not exist; it must hold"
                + " the base64 of 32 random bytes (make one with: openssl rand -base64 32)" + System.lineSeparator());
    }

    @Test
    void encryptedRowsAndNoKeyIsOneLineNamingTheKeyIdAndExitCode2() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("key"), Base64.getEncoder().encodeToString(key) + "\n");
        Path data = dir.resolve("data");
        try (TestHerald h = TestHerald.builder().set(HeraldConfig.DATA_DIR, data.toString())
                .set(HeraldConfig.ENCRYPTION_KEY_FILE, keyFile.toString()).start()) {
            h.seed("acme");
            assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\"}").status()).isEqualTo(201);
        }
        String keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 8);

        String[] result = serve("--data-dir", data.toString(), "--port", "0", "--admin-token", TestHerald.ADMIN);

        assertThat(result[0]).isEqualTo("2");
        assertThat(result[1]).isEqualTo("herald: the database holds 1 endpoint secret(s) encrypted under key id " + keyId
                + ", but HERALD_ENCRYPTION_KEY_FILE is not set; set it to the file holding that key" + System.lineSeparator());
    }
}
