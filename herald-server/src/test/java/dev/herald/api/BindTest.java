package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** HERALD_BIND chooses the address the API listens on; HERALD_ADMIN_TOKEN_FILE gives the admin token. */
class BindTest {
    private static boolean accepts(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    @Test
    void boundToOneAddressTheApiIsNotOnAnother() throws Exception {
        // why: on Linux all of 127/8 is loopback; 127.0.0.2 is another address of this machine
        try (TestHerald h = TestHerald.builder().set(HeraldConfig.BIND, "127.0.0.1").start()) {
            assertThat(accepts("127.0.0.1", h.herald().port())).isTrue();
            assertThat(accepts("127.0.0.2", h.herald().port())).isFalse();
        }
        try (TestHerald h = TestHerald.builder().set(HeraldConfig.BIND, "0.0.0.0").start()) {
            assertThat(accepts("127.0.0.2", h.herald().port())).isTrue();
            assertThat(h.send("GET", "/healthz", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void theAdminTokenFromAFileIsTheAdminToken() throws Exception {
        Path file = Files.createTempFile("admin-token", "");
        Files.writeString(file, "token-from-a-file-0123456789\n");
        try (TestHerald h = TestHerald.builder().set(HeraldConfig.ADMIN_TOKEN, "").set(HeraldConfig.ADMIN_TOKEN_FILE, file.toString())
                .start()) {
            assertThat(h.send("GET", "/v1/tenants", null, "token-from-a-file-0123456789").status()).isEqualTo(200);
            assertThat(h.send("GET", "/v1/tenants", null, TestHerald.ADMIN).status()).isEqualTo(401);
        }
        assertThatThrownBy(() -> TestHerald.builder().set(HeraldConfig.ADMIN_TOKEN_FILE, file.toString()).start())
                .hasMessageContaining("both set");
    }
}
