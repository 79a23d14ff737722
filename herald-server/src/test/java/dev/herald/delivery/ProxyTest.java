package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.config.HeraldConfig;
import dev.herald.json.Json;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Deliveries through {@code HERALD_PROXY_URL}: a small HTTP proxy written here (CONNECT tunnels and absolute-form
 * requests, Basic credentials), on loopback, in front of real receivers, one of them over TLS with certificates made
 * here.
 */
class ProxyTest {
    private static final String USER = "herald";
    /** Percent-encoded in the URL: the password holds an '@' and a ':'. */
    private static final String PASSWORD = "pr0xy@s3cret:x";
    private static final String PASSWORD_IN_URL = "pr0xy%40s3cret%3Ax";

    private final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("partner-ca").build();
    private final HeldCertificate serverCert = new HeldCertificate.Builder().signedBy(ca)
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("93.184.216.34").build();
    private final MockWebServer receiver = new MockWebServer();
    private TestProxy proxy;
    private TestHerald h;

    @AfterEach
    void stop() throws IOException {
        if (h != null) {
            h.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        receiver.close();
    }

    @Test
    void anHttpsDeliveryGoesThroughTheProxysTunnelWithItsCredentials() throws Exception {
        startTlsReceiver();
        proxy = new TestProxy(USER, PASSWORD);
        h = herald(proxyUrl(USER, PASSWORD_IN_URL), null, true);
        String id = endpoint("https://localhost:" + receiver.getPort() + "/hook");

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"n\":1}}");

        awaitOnlyDelivery(id, "delivered");
        RecordedRequest r = receiver.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.getHandshake()).isNotNull();
        assertThat(proxy.requestLines).containsExactly("CONNECT localhost:" + receiver.getPort() + " HTTP/1.1");
        assertThat(proxy.credentials).containsExactly(basic(USER, PASSWORD));
        assertThat(proxy.tunnels).hasValue(1);
    }

    @Test
    void aPlainHttpDeliveryIsSentToTheProxyInAbsoluteFormWithItsCredentials() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.start();
        proxy = new TestProxy(USER, PASSWORD);
        h = herald(proxyUrl(USER, PASSWORD_IN_URL), null, true);
        String url = "http://127.0.0.1:" + receiver.getPort() + "/plain";
        String id = endpoint(url);

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");

        awaitOnlyDelivery(id, "delivered");
        assertThat(proxy.requestLines).containsExactly("POST " + url + " HTTP/1.1");
        assertThat(proxy.credentials).containsExactly(basic(USER, PASSWORD));
        RecordedRequest r = receiver.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r.getHeaders().get("Proxy-Authorization")).as("the proxy keeps its credentials").isNull();
    }

    @Test
    void aHostInNoProxyIsReachedDirectly() throws Exception {
        startTlsReceiver();
        proxy = new TestProxy(USER, PASSWORD);
        h = herald(proxyUrl(USER, PASSWORD_IN_URL), ".example.net, localhost", true);
        String id = endpoint("https://localhost:" + receiver.getPort() + "/hook");

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");

        awaitOnlyDelivery(id, "delivered");
        assertThat(receiver.getRequestCount()).isEqualTo(1);
        assertThat(proxy.connections).hasValue(0);
    }

    @Test
    void wrongCredentialsFailTheAttemptNamingTheProxyAndNeverThePassword() throws Exception {
        startTlsReceiver();
        proxy = new TestProxy(USER, "the-right-one");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        try {
            h = herald(proxyUrl(USER, PASSWORD_IN_URL), null, true);
            String id = endpoint("https://localhost:" + receiver.getPort() + "/hook");
            h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");

            JsonNode failed = awaitOnlyDelivery(id, "failed");
            String error = failed.get("attempts").get(0).get("error").stringValue();
            assertThat(error).isEqualTo("proxy 127.0.0.1:" + proxy.port() + " refused its credentials (407 Proxy Authentication"
                    + " Required); check the user and password in HERALD_PROXY_URL");
            assertThat(Json.write(failed)).doesNotContain("s3cret").doesNotContain(PASSWORD_IN_URL);
        } finally {
            root.detachAppender(log);
        }
        assertThat(receiver.getRequestCount()).isZero();
        assertThat(proxy.tunnels).hasValue(0);
        assertThat(log.list).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain("s3cret").doesNotContain(PASSWORD_IN_URL);
            assertThat(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()).doesNotContain("s3cret");
        });
    }

    @Test
    void aProxyThatRefusesTheTunnelIsNamedInTheError() throws Exception {
        startTlsReceiver();
        proxy = new TestProxy(USER, PASSWORD);
        proxy.refuseAll = true;
        h = herald(proxyUrl(USER, PASSWORD_IN_URL), null, true);
        String id = endpoint("https://localhost:" + receiver.getPort() + "/hook");
        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");

        JsonNode failed = awaitOnlyDelivery(id, "failed");
        assertThat(failed.get("attempts").get(0).get("error").stringValue())
                .isEqualTo("proxy 127.0.0.1:" + proxy.port() + " refused CONNECT: 403");
    }

    /**
     * With private targets refused, the guard judges the final target, not the proxy: a loopback proxy carries a
     * delivery to a public address, and a target that resolves to a private one is refused before the proxy is asked.
     */
    @Test
    void theGuardJudgesTheFinalTargetThroughTheProxy() throws Exception {
        startTlsReceiver();
        proxy = new TestProxy(USER, PASSWORD);
        // why: no test may reach the internet; the proxy sends every tunnel to the local receiver instead
        proxy.upstreamPort = receiver.getPort();
        h = herald(proxyUrl(USER, PASSWORD_IN_URL), null, false);
        String publicTarget = endpoint("https://93.184.216.34/hook");
        String rebound = endpoint("https://93.184.216.34/other");
        // why: a target that was public when registered and points inside now
        h.herald().database().inTransaction(c -> c.createStatement().executeUpdate(
                "UPDATE endpoints SET url = 'https://localhost:" + receiver.getPort() + "/hook' WHERE id = '" + rebound + "'"));

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");

        awaitOnlyDelivery(publicTarget, "delivered");
        JsonNode refused = awaitOnlyDelivery(rebound, "failed");
        assertThat(refused.get("attempts").get(0).get("error").stringValue())
                .contains("localhost resolves to").contains("HERALD_ALLOW_PRIVATE_TARGETS");
        assertThat(proxy.requestLines).containsExactly("CONNECT 93.184.216.34:443 HTTP/1.1");
        assertThat(receiver.getRequestCount()).isEqualTo(1);
    }

    @Test
    void noProxyMatchesExactHostsDomainsAddressesBlocksAndEverything() {
        EgressProxy p = EgressProxy.of(Optional.of("http://u:p@proxy.internal:3128"),
                List.of("internal.example", ".corp.example", "10.1.2.3", "192.168.0.0/16", "fd00::/8")).orElseThrow();
        assertThat(p.carries("internal.example")).isFalse();
        assertThat(p.carries("INTERNAL.example")).isFalse();
        assertThat(p.carries("a.internal.example")).isTrue();
        assertThat(p.carries("corp.example")).isFalse();
        assertThat(p.carries("deep.in.corp.example")).isFalse();
        assertThat(p.carries("notcorp.example")).isTrue();
        assertThat(p.carries("10.1.2.3")).isFalse();
        assertThat(p.carries("10.1.2.4")).isTrue();
        assertThat(p.carries("192.168.77.1")).isFalse();
        assertThat(p.carries("192.169.0.1")).isTrue();
        assertThat(p.carries("[fd12::1]")).isFalse();
        assertThat(p.carries("2001:db8::1")).isTrue();
        assertThat(p.carries("partner.example")).isTrue();
        assertThat(p.name()).isEqualTo("proxy proxy.internal:3128");

        EgressProxy all = EgressProxy.of(Optional.of("http://proxy.internal:3128"), List.of("*")).orElseThrow();
        assertThat(all.carries("partner.example")).isFalse();
        assertThat(EgressProxy.of(Optional.empty(), List.of("*"))).isEmpty();
    }

    private void startTlsReceiver() throws IOException {
        HandshakeCertificates tls = new HandshakeCertificates.Builder().heldCertificate(serverCert).build();
        receiver.useHttps(tls.sslSocketFactory());
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.start();
    }

    private String proxyUrl(String user, String password) {
        return "http://" + user + ":" + password + "@127.0.0.1:" + proxy.port();
    }

    private TestHerald herald(String proxyUrl, String noProxy, boolean allowPrivate) {
        TestHerald.Builder b = TestHerald.builder().allowPrivateTargets(allowPrivate).set(HeraldConfig.PROXY_URL, proxyUrl);
        if (noProxy != null) {
            b.set(HeraldConfig.NO_PROXY, noProxy);
        }
        TestHerald started = b.start();
        started.seed("acme", "order.paid");
        return started;
    }

    private String endpoint(String url) {
        ObjectNode e = Json.object();
        e.put("url", url);
        e.put("format", "event");
        e.put("timeout_ms", 5000);
        e.putObject("retry").put("max_attempts", 1);
        if (url.startsWith("https:")) {
            e.putObject("tls").put("ca_certificates", ca.certificatePem());
        }
        TestHerald.Response created = h.post("/v1/tenants/acme/endpoints", Json.write(e));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    private JsonNode awaitOnlyDelivery(String endpointId, String status) {
        JsonNode list = Eventually.until("a " + status + " delivery for endpoint " + endpointId, Duration.ofSeconds(15),
                () -> h.get("/v1/tenants/acme/deliveries?endpoint_id=" + endpointId).json().get("data"),
                l -> !l.isEmpty() && status.equals(l.get(0).get("status").stringValue()));
        return h.get("/v1/tenants/acme/deliveries/" + list.get(0).get("id").stringValue()).json();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An HTTP proxy in a few lines: answers 407 without the expected Basic credentials (or with others), then opens
     * a CONNECT tunnel, or forwards an absolute-form request to its origin; records what it was asked.
     */
    static final class TestProxy implements AutoCloseable {
        final ServerSocket server;
        final String expected;
        final List<String> requestLines = new CopyOnWriteArrayList<>();
        final List<String> credentials = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger tunnels = new AtomicInteger();
        volatile boolean refuseAll;
        /** When set, every tunnel and request goes to this port on loopback, whatever its target. */
        volatile Integer upstreamPort;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        TestProxy(String user, String password) throws IOException {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.expected = basic(user, password);
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try {
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                while (true) {
                    List<String> head = readHead(in);
                    if (head.isEmpty()) {
                        client.close();
                        return;
                    }
                    String requestLine = head.getFirst();
                    String auth = head.stream().filter(l -> l.regionMatches(true, 0, "Proxy-Authorization:", 0, 20))
                            .map(l -> l.substring(20).trim()).findFirst().orElse(null);
                    if (auth == null || !auth.equals(expected)) {
                        if (auth != null) {
                            credentials.add(auth);
                        }
                        out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        continue;
                    }
                    credentials.add(auth);
                    requestLines.add(requestLine);
                    if (refuseAll) {
                        out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        continue;
                    }
                    String target = requestLine.split(" ")[1];
                    if (requestLine.startsWith("CONNECT ")) {
                        Socket upstream = connect(target);
                        tunnels.incrementAndGet();
                        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        pipe(client, upstream, new byte[0]);
                    } else {
                        java.net.URI uri = java.net.URI.create(target);
                        Socket upstream = connect(uri.getHost() + ":" + uri.getPort());
                        StringBuilder forwarded = new StringBuilder(requestLine.replace(target, uri.getRawPath()) + "\r\n");
                        head.stream().skip(1).filter(l -> !l.regionMatches(true, 0, "Proxy-Authorization:", 0, 20))
                                .forEach(l -> forwarded.append(l).append("\r\n"));
                        forwarded.append("\r\n");
                        pipe(client, upstream, forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                    }
                    return;
                }
            } catch (IOException e) {
                closeQuietly(client);
            }
        }

        private Socket connect(String hostPort) throws IOException {
            int colon = hostPort.lastIndexOf(':');
            Socket s = upstreamPort != null
                    ? new Socket(InetAddress.getLoopbackAddress(), upstreamPort)
                    : new Socket(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            open.add(s);
            return s;
        }

        /** Copies both ways until either side closes; {@code first} is written upstream before the client's bytes. */
        private static void pipe(Socket client, Socket upstream, byte[] first) throws IOException {
            upstream.getOutputStream().write(first);
            Thread.ofVirtual().start(() -> copy(upstream, client));
            copy(client, upstream);
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        /** The request line and header lines, or empty at the end of the stream. */
        private static List<String> readHead(InputStream in) throws IOException {
            List<String> lines = new ArrayList<>();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String l = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                    line.reset();
                    if (l.isEmpty()) {
                        return lines;
                    }
                    lines.add(l);
                } else {
                    line.write(b);
                }
            }
            return List.of();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            open.forEach(TestProxy::closeQuietly);
        }
    }
}
