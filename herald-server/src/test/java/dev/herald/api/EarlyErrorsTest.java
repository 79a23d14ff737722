package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Requests Jetty refuses before routing answer problem+json like every other error. Sent as raw bytes over a
 * socket: HTTP clients refuse to send most of them.
 */
class EarlyErrorsTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** One request written as is; the answer's status line, headers and body. */
    private record Raw(int status, String head, String body) {
        JsonNode json() {
            return Json.parse(body);
        }
    }

    private static Raw send(String requestLine, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\n");
        req.append("Authorization: Bearer ").append(TestHerald.ADMIN).append("\r\n");
        for (String header : headers) {
            req.append(header).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", h.herald().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = answer.indexOf("\r\n\r\n");
            assertThat(split).as(answer).isPositive();
            return new Raw(Integer.parseInt(answer.substring(9, 12)), answer.substring(0, split), answer.substring(split + 4));
        }
    }

    private static void assertProblem(Raw r, int status, String detailContains) {
        assertThat(r.status()).as(r.head() + "\n" + r.body()).isEqualTo(status);
        assertThat(r.head().toLowerCase()).contains("content-type: application/problem+json");
        JsonNode json = r.json();
        assertThat(json.get("status").intValue()).isEqualTo(status);
        assertThat(json.get("title").stringValue()).isNotBlank();
        assertThat(json.get("type").stringValue()).isEqualTo("about:blank");
        assertThat(json.get("detail").stringValue()).contains(detailContains);
    }

    @Test
    void hugeHeadersAre431Problem() throws IOException {
        assertProblem(send("GET /v1/tenants HTTP/1.1", "X-Big: " + "a".repeat(20_000)), 431, "headers are larger than 8 KiB");
    }

    @Test
    void aHugeUriIs414Problem() throws IOException {
        assertProblem(send("GET /v1/tenants?limit=" + "1".repeat(20_000) + " HTTP/1.1"), 414, "URI is longer than 8 KiB");
    }

    @Test
    void anIllegalPathCharacterIs400Problem() throws IOException {
        assertProblem(send("GET /v1/%00 HTTP/1.1"), 400, "path is malformed (Illegal character in path)");
        assertProblem(send("GET /v1/tenants/%zz HTTP/1.1"), 400, "'%' is not followed by two hex digits");
    }

    @Test
    void aMalformedRequestLineOrVersionIsAProblem() throws IOException {
        assertProblem(send("GARBAGE"), 400, "the request is malformed");
        assertProblem(send("GET /v1/tenants HTTP/7.1"), 505, "use HTTP/1.1");
    }

    @Test
    void anEncodedSlashInAnIdIsAProblemNotAPage() throws IOException {
        Raw r = send("GET /v1/tenants/a%2Fb HTTP/1.1");
        assertThat(r.status()).isBetween(400, 499);
        assertThat(r.head().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(r.json().get("detail").stringValue()).isNotBlank();
    }
}
