package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.Base64;
import java.util.Locale;
import java.util.stream.Stream;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of an endpoint registration: each refusal is a 422 naming the field. */
class EndpointValidationTest {
    private static final String T = "val";
    private static final String URL = "http://127.0.0.1:9/hook";
    private static final String HTTPS = "https://127.0.0.1:9/hook";
    private static TestHerald h;
    private static TestHerald guarded;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
        h.seed(T, "val.known");
        guarded = TestHerald.builder().allowPrivateTargets(false).start();
        guarded.seed(T);
    }

    @AfterAll
    static void stop() {
        h.close();
        guarded.close();
    }

    private static TestHerald.Response register(String body) {
        return h.post("/v1/tenants/" + T + "/endpoints", body);
    }

    /** An endpoint with {@code extra} (JSON members, no braces) beside a valid url. */
    private static TestHerald.Response with(String extra) {
        return register("{\"url\":\"" + URL + "\"," + extra + "}");
    }

    private static void accepted(TestHerald.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    // url

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "hook", "/relative/path", "//127.0.0.1/no-scheme", "ftp://127.0.0.1/hook",
            "file:///etc/passwd", "mailto:a@b.c", "http://user:pass@127.0.0.1/hook", "http://user@127.0.0.1/hook",
            "http://127.0.0.1/hook#frag", "http://127.0.0.1/hook#", "http://", "http:///path", "https://[::1/x",
            "javascript:alert(1)"})
    void urlRule(String url) {
        assertInvalid(register("{\"url\":" + quote(url) + "}"), "url");
    }

    @Test
    void urlMissingNullOrNotAString() {
        assertInvalid(register("{}"), "url");
        assertInvalid(register("{\"url\":null}"), "url");
        assertInvalid(register("{\"url\":42}"), "url");
        assertInvalid(register("{\"url\":[\"" + URL + "\"]}"), "url");
        assertInvalid(register("{\"url\":\"\"}"), "url");
    }

    @Test
    void urlLength() {
        String base = "http://127.0.0.1:9/";
        accepted(register("{\"url\":\"" + base + "a".repeat(2048 - base.length()) + "\"}"));
        assertInvalid(register("{\"url\":\"" + base + "a".repeat(2049 - base.length()) + "\"}"), "url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/hook", "https://127.0.0.1/hook?x=1", "HTTPS://127.0.0.1/h", "http://[::1]:8080/"})
    void urlsThatAreFine(String url) {
        accepted(register("{\"url\":" + quote(url) + "}"));
    }

    // private targets

    /** Hosts refused while private targets are not allowed, with a word of the reason the 422 gives. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1 | loopback", "localhost | loopback", "127.1.2.3 | loopback", "[::1] | loopback",
            "10.1.2.3 | private", "172.16.0.1 | private", "172.31.255.255 | private", "192.168.1.1 | private",
            "169.254.169.254 | metadata", "[fd00:ec2::254] | unique local", "[fe80::1] | link-local",
            "100.64.0.1 | carrier-grade NAT", "100.127.255.255 | carrier-grade NAT",
            "0.0.0.0 | this network", "0.1.2.3 | this network", "[::] | unspecified",
            "192.0.0.1 | IETF", "192.0.0.170 | IETF", "192.88.99.1 | 6to4 relay",
            "192.0.2.1 | documentation", "198.51.100.7 | documentation", "203.0.113.255 | documentation",
            "[2001:db8::1] | documentation", "[3fff::1] | documentation",
            "198.18.0.1 | benchmarking", "198.19.255.255 | benchmarking", "[2001:2::1] | IETF",
            "224.0.0.1 | multicast", "239.255.255.250 | multicast", "[ff02::1] | multicast", "[ff0e::1] | multicast",
            "240.0.0.1 | reserved", "255.255.255.255 | broadcast",
            "[::ffff:10.0.0.1] | private", "[::ffff:169.254.169.254] | metadata",
            "[::127.0.0.1] | IPv4-compatible", "[::a9fe:a9fe] | IPv4-compatible",
            "[64:ff9b::a9fe:a9fe] | NAT64", "[64:ff9b::127.0.0.1] | loopback", "[64:ff9b::a00:1] | private",
            "[64:ff9b:1::a00:1] | local-use NAT64", "[64:ff9b:1::808:808] | local-use NAT64",
            "[2002:a9fe:a9fe::] | 6to4", "[2002:7f00:1::1] | loopback", "[2002:c0a8:101::] | private",
            "[2001::1] | Teredo", "[2001:0:4136:e378:8000:63bf:3fff:fdd2] | Teredo",
            "[2001:20::1] | IETF", "[2001:10::1] | IETF", "[100::1] | discard", "[fec0::1] | site-local",
            "[5f00::1] | global unicast", "[::1:2:3:4:5] | global unicast"})
    void privateTargetsAreRefused(String host, String reason) {
        var r = guarded.post("/v1/tenants/" + T + "/endpoints", "{\"url\":\"https://" + host + "/hook\"}");
        assertInvalid(r, "url");
        assertThat(r.json().get("detail").stringValue()).contains(reason).contains("HERALD_ALLOW_PRIVATE_TARGETS");
        assertThat(guarded.get("/v1/tenants/" + T + "/endpoints?limit=250").text()).doesNotContain(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.0.3.1", "198.20.0.1",
            "223.255.255.254", "[2606:2800:220:1:248:1893:25c8:1946]", "[2606:4700::1111]", "[2a00:1450:4001:81c::200e]",
            "[64:ff9b::808:808]", "[64:ff9b::8.8.8.8]", "[2002:808:808::1]", "[::ffff:8.8.8.8]"})
    void publicTargetsAreAccepted(String host) {
        var r = guarded.post("/v1/tenants/" + T + "/endpoints", "{\"url\":\"https://" + host + "/hook\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://8.8.8.8:0/", "http://8.8.8.8:65536/", "http://8.8.8.8:99999/", "http://8.8.8.8:99999999999/",
            "http://8.8.8.8:-1/", "http://8.8.8.8:+80/", "https://[2606:4700::1111]:0/", "https://[2606:4700::1111]:70000/"})
    void portsOutsideOneTo65535AreRefused(String url) {
        for (TestHerald herald : new TestHerald[] {h, guarded}) {
            var r = herald.post("/v1/tenants/" + T + "/endpoints", "{\"url\":" + quote(url) + "}");
            assertInvalid(r, "url");
            assertThat(r.json().get("detail").stringValue()).contains("from 1 to 65535");
        }
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        for (String url : new String[] {"http://user:s3cret@8.8.8.8/", "http://user:s3cret@8.8.8.8:443/"}) {
            var r = register("{\"url\":" + quote(url) + "}");
            assertInvalid(r, "url");
            assertThat(r.json().get("detail").stringValue()).contains("credentials").doesNotContain("s3cret");
        }
        var r = register("{\"url\":\"http://user:s3cret@8.8.8.8:0/\"}");
        assertInvalid(r, "url");
        assertThat(r.json().get("detail").stringValue()).contains("port 0").doesNotContain("s3cret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://8.8.8.8:1/", "http://8.8.8.8:65535/", "http://8.8.8.8:080/", "http://8.8.8.8:/",
            "https://[2606:4700::1111]:443/"})
    void portsFromOneTo65535AreAccepted(String url) {
        accepted(guarded.post("/v1/tenants/" + T + "/endpoints", "{\"url\":" + quote(url) + "}"));
    }

    @Test
    void privateTargetRefusedOnPatchToo() {
        var r = guarded.post("/v1/tenants/" + T + "/endpoints", "{\"url\":\"https://93.184.216.34/hook\"}");
        String path = "/v1/tenants/" + T + "/endpoints/" + r.json().get("id").stringValue();
        assertInvalid(guarded.patch(path, "{\"url\":\"http://10.0.0.1/\"}"), "url");
        assertInvalid(guarded.patch(path, "{\"url\":\"http://[64:ff9b::a9fe:a9fe]/\"}"), "url");
        assertInvalid(guarded.patch(path, "{\"url\":\"http://[2002:a9fe:a9fe::]/\"}"), "url");
        assertInvalid(guarded.patch(path, "{\"url\":\"http://192.0.2.1/\"}"), "url");
        assertInvalid(guarded.patch(path, "{\"url\":\"http://93.184.216.34:0/\"}"), "url");
        assertInvalid(guarded.patch(path, "{\"url\":\"http://93.184.216.34:65536/\"}"), "url");
        assertThat(guarded.get(path).json().get("url").stringValue()).isEqualTo("https://93.184.216.34/hook");
    }

    // tls

    private static String tls(String members) {
        return "\"tls\":{" + members + "}";
    }

    private static String pem(String name, String pem) {
        return quote(name) + ":" + quote(pem);
    }

    @Test
    void tlsOnlyOnHttps() {
        HeldCertificate ca = new HeldCertificate.Builder().commonName("ca").certificateAuthority(0).build();
        assertInvalid(register("{\"url\":\"" + URL + "\"," + tls(pem("ca_certificates", ca.certificatePem())) + "}"), "tls");
        accepted(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("ca_certificates", ca.certificatePem())) + "}"));
    }

    @Test
    void tlsMatchingPairAccepted() {
        HeldCertificate c = new HeldCertificate.Builder().commonName("x").build();
        accepted(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem()) + ","
                + pem("client_key", c.privateKeyPkcs8Pem())) + "}"));
        HeldCertificate rsa = new HeldCertificate.Builder().commonName("x").rsa2048().build();
        accepted(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", rsa.certificatePem()) + ","
                + pem("client_key", rsa.privateKeyPkcs8Pem())) + "}"));
    }

    @Test
    void tlsKeyOfAnotherCertificateRefused() {
        HeldCertificate c = new HeldCertificate.Builder().commonName("x").build();
        HeldCertificate other = new HeldCertificate.Builder().commonName("x").build();
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem()) + ","
                + pem("client_key", other.privateKeyPkcs8Pem())) + "}"), "tls.client_key");
        HeldCertificate rsa = new HeldCertificate.Builder().commonName("x").rsa2048().build();
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem()) + ","
                + pem("client_key", rsa.privateKeyPkcs8Pem())) + "}"), "tls.client_key");
    }

    @Test
    void tlsGarbagePemRefused() {
        HeldCertificate c = new HeldCertificate.Builder().commonName("x").build();
        String garbageCert = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", garbageCert) + ","
                + pem("client_key", c.privateKeyPkcs8Pem())) + "}"), "tls.client_certificate");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", "hello") + ","
                + pem("client_key", c.privateKeyPkcs8Pem())) + "}"), "tls.client_certificate");
        String garbageKey = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem()) + ","
                + pem("client_key", garbageKey)) + "}"), "tls.client_key");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem()) + ","
                + pem("client_key", c.certificatePem())) + "}"), "tls.client_key");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("ca_certificates", "garbage")) + "}"), "tls.ca_certificates");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("ca_certificates", garbageCert)) + "}"), "tls.ca_certificates");
    }

    @Test
    void tlsKeyWithoutCertificateAndTheReverseRefused() {
        HeldCertificate c = new HeldCertificate.Builder().commonName("x").build();
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_key", c.privateKeyPkcs8Pem())) + "}"),
                "tls.client_certificate");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_certificate", c.certificatePem())) + "}"),
                "tls.client_key");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\",\"tls\":{}}"), "tls");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\",\"tls\":\"pem\"}"), "tls");
        assertInvalid(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("client_cert", c.certificatePem())) + "}"), "tls.client_cert");
    }

    @Test
    void tlsCaCertificatesAloneAccepted() {
        HeldCertificate ca1 = new HeldCertificate.Builder().commonName("ca1").certificateAuthority(0).build();
        HeldCertificate ca2 = new HeldCertificate.Builder().commonName("ca2").certificateAuthority(0).build();
        accepted(register("{\"url\":\"" + HTTPS + "\"," + tls(pem("ca_certificates", ca1.certificatePem() + ca2.certificatePem())) + "}"));
    }

    // batch

    @ParameterizedTest
    @CsvSource({"max_events,0", "max_events,1001", "max_events,-1", "window_ms,99", "window_ms,60001", "window_ms,0"})
    void batchOutOfRange(String name, long value) {
        assertInvalid(with("\"batch\":{\"" + name + "\":" + value + "}"), "batch." + name);
    }

    @ParameterizedTest
    @CsvSource({"1,100", "1000,60000", "100,1000"})
    void batchBoundsAccepted(int maxEvents, int windowMs) {
        var r = with("\"batch\":{\"max_events\":" + maxEvents + ",\"window_ms\":" + windowMs + "}");
        accepted(r);
        assertThat(r.json().get("batch").get("max_events").intValue()).isEqualTo(maxEvents);
        assertThat(r.json().get("batch").get("window_ms").intValue()).isEqualTo(windowMs);
    }

    @Test
    void batchOtherRules() {
        assertInvalid(with("\"format\":\"event\",\"batch\":{\"max_events\":10}"), "batch");
        assertInvalid(with("\"batch\":{\"max_events\":1.5}"), "batch.max_events");
        assertInvalid(with("\"batch\":{\"max_events\":\"10\"}"), "batch.max_events");
        assertInvalid(with("\"batch\":{\"size\":10}"), "batch.size");
        assertInvalid(with("\"batch\":[]"), "batch");
        assertInvalid(with("\"format\":\"stream\""), "format");
    }

    // retry

    @Test
    void retryRules() {
        assertInvalid(with("\"retry\":{\"policy\":\"linear\"}"), "retry.policy");
        assertInvalid(with("\"retry\":{\"policy\":\"polynomial\",\"initial_delay_ms\":1000}"), "retry.initial_delay_ms");
        assertInvalid(with("\"retry\":{\"policy\":\"exponential\",\"horizon_ms\":1000000}"), "retry.horizon_ms");
        assertInvalid(with("\"format\":\"event\",\"retry\":{\"horizon_ms\":1000000}"), "retry.horizon_ms");
        assertInvalid(with("\"retry\":{\"max_attempts\":26,\"horizon_ms\":1000}"), "retry.horizon_ms");
        assertInvalid(with("\"retry\":{\"max_attempts\":0}"), "retry.max_attempts");
        assertInvalid(with("\"format\":\"event\",\"retry\":{\"max_attempts\":0}"), "retry.max_attempts");
        assertInvalid(with("\"retry\":{\"on\":\"4xx\"}"), "retry.on");
        assertInvalid(with("\"retry\":{\"policy\":\"exponential\",\"initial_delay_ms\":99}"), "retry.initial_delay_ms");
        assertInvalid(with("\"retry\":{\"max_attempts\":\"3\"}"), "retry.max_attempts");
        assertInvalid(with("\"retry\":{\"backoff\":\"x\"}"), "retry.backoff");
        assertInvalid(with("\"retry\":5"), "retry");
    }

    @Test
    void retryVariantsAccepted() {
        var r = with("\"retry\":{\"policy\":\"exponential\",\"max_attempts\":5,\"initial_delay_ms\":100,\"on\":\"non_2xx\"}");
        accepted(r);
        assertThat(r.json().get("retry").get("on").stringValue()).isEqualTo("non_2xx");
        accepted(with("\"retry\":{\"max_attempts\":1}"));
        accepted(with("\"format\":\"event\",\"retry\":{\"policy\":\"polynomial\",\"on\":\"5xx\"}"));
    }

    // headers

    static Stream<String> reservedHeaders() {
        return Stream.of("Content-Type", "User-Agent", "X-Request-ID", "X-Webhook-Retry", "X-Webhook-Delivery", "X-Webhook-Event",
                        "X-Webhook-Signature", "X-Webhook-Timestamp", "webhook-id", "webhook-timestamp", "webhook-signature", "Host",
                        "Content-Length")
                .flatMap(n -> Stream.of(n, n.toLowerCase(Locale.ROOT), n.toUpperCase(Locale.ROOT), mixed(n)));
    }

    private static String mixed(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }

    @ParameterizedTest
    @MethodSource("reservedHeaders")
    void reservedHeaderRefused(String name) {
        assertInvalid(with("\"headers\":{" + quote(name) + ":\"x\"}"), "headers." + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\u0000", "del\u007f", "café", "tab\tbed", "\u0080",
            "\u00ff", "€", "😀", "secret\u00a0"})
    void headerValueOutsidePrintableAsciiRefusedWithoutEchoingIt(String value) {
        var r = with("\"headers\":{\"X-Partner\":" + quote(value) + "}");
        assertInvalid(r, "headers.X-Partner");
        assertThat(r.json().get("detail").stringValue()).contains("printable ASCII").doesNotContain(value);
        assertThat(r.text()).doesNotContain(value).doesNotContain(quote(value));

        String id = with("\"headers\":{\"X-Partner\":\"fine\"}").json().get("id").stringValue();
        var patched = h.patch("/v1/tenants/" + T + "/endpoints/" + id, "{\"headers\":{\"X-Partner\":" + quote(value) + "}}");
        assertInvalid(patched, "headers.X-Partner");
        assertThat(patched.text()).doesNotContain(value);
        assertThat(h.get("/v1/tenants/" + T + "/endpoints/" + id).json().get("headers").get("X-Partner").stringValue()).isEqualTo("fine");
    }

    @Test
    void headerValuesOfEveryPrintableAsciiCharacterAreAccepted() {
        StringBuilder all = new StringBuilder();
        for (char c = 0x20; c <= 0x7e; c++) {
            all.append(c);
        }
        var r = with("\"headers\":{\"X-All\":" + quote(all.toString()) + ",\"X-Long\":" + quote("v".repeat(2048)) + "}");
        accepted(r);
        assertThat(r.json().get("headers").get("X-All").stringValue()).isEqualTo(all.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {"a:b | headers.a:b", "(comment) | headers.(comment)", "é | headers.é",
            "`Bad Name` | `headers[\"Bad Name\"]`", "`` | `headers[\"\"]`"})
    void invalidHeaderNameRefused(String name, String field) {
        assertInvalid(with("\"headers\":{" + quote(name) + ":\"v\"}"), field);
    }

    @Test
    void aHeaderNameWithLineBreaksIsNamedWithEscapes() {
        assertInvalid(with("\"headers\":{\"x\\r\\ny\":\"v\"}"), "headers[\"x\\u000d\\u000ay\"]");
    }

    @Test
    void headerCountAndTypes() {
        StringBuilder h32 = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            h32.append(i == 0 ? "" : ",").append("\"X-H").append(i).append("\":\"v\"");
        }
        accepted(with("\"headers\":{" + h32 + "}"));
        assertInvalid(with("\"headers\":{" + h32 + ",\"X-H32\":\"v\"}"), "headers");
        assertInvalid(with("\"headers\":{\"X-N\":42}"), "headers.X-N");
        assertInvalid(with("\"headers\":[\"X-N\"]"), "headers");
        assertInvalid(with("\"headers\":{\"X-Long\":" + quote("v".repeat(2049)) + "}"), "headers.X-Long");
        accepted(with("\"headers\":{\"Authorization\":\"Bearer abc\"}"));
    }

    // event types, unknown fields, simple fields

    @Test
    void unknownEventTypesRefused() {
        assertInvalid(with("\"event_types\":[\"val.known\",\"val.unknown\"]"), "event_types");
        assertInvalid(with("\"event_types\":\"val.known\""), "event_types");
        assertInvalid(with("\"event_types\":[42]"), "event_types[0]");
        assertInvalid(with("\"event_types\":[\"val.known\",\"bad name\"]"), "event_types[1]");
        accepted(with("\"event_types\":[\"val.known\"]"));
        accepted(with("\"event_types\":[]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_type", "URL", "id", "tenant_id", "created_at", "paused_reason", "retries"})
    void unknownTopLevelFieldRefused(String name) {
        assertInvalid(with(quote(name) + ":\"x\""), name);
    }

    private static String secretOf(int bytes) {
        return "whsec_" + Base64.getEncoder().encodeToString(new byte[bytes]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "whsec", "WHSEC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "whsec_!!!notbase64!!!", "whsec_",
            "whsec_AAAA AAAA"})
    void secretFormatRefused(String secret) {
        assertInvalid(with("\"secret\":" + quote(secret)), "secret");
    }

    @Test
    void secretLength() {
        assertInvalid(with("\"secret\":\"" + secretOf(23) + "\""), "secret");
        assertInvalid(with("\"secret\":\"" + secretOf(65) + "\""), "secret");
        assertInvalid(with("\"secret\":42"), "secret");
        accepted(with("\"secret\":\"" + secretOf(24) + "\""));
        accepted(with("\"secret\":\"" + secretOf(64) + "\""));
    }

    @ParameterizedTest
    @CsvSource({"timeout_ms,99", "timeout_ms,60001", "timeout_ms,0", "timeout_ms,-5", "max_concurrency,0", "max_concurrency,101",
            "rate_limit_per_s,0", "rate_limit_per_s,10001", "rate_limit_per_s,-1"})
    void rangesRefused(String name, long value) {
        assertInvalid(with(quote(name) + ":" + value), name);
    }

    @ParameterizedTest
    @CsvSource({"timeout_ms,100", "timeout_ms,60000", "max_concurrency,1", "max_concurrency,100", "rate_limit_per_s,1",
            "rate_limit_per_s,10000"})
    void rangeBoundsAccepted(String name, long value) {
        var r = with(quote(name) + ":" + value);
        accepted(r);
        assertThat(r.json().get(name).longValue()).isEqualTo(value);
    }

    @Test
    void orderingIsNoneOrKey() {
        assertInvalid(with("\"ordering\":\"fifo\""), "ordering");
        assertInvalid(with("\"ordering\":true"), "ordering");
        assertThat(with("\"ordering\":\"key\"").json().get("ordering").stringValue()).isEqualTo("key");
        assertThat(with("\"rate_limit_per_s\":null").json().get("rate_limit_per_s").isNull()).isTrue();
    }

    @Test
    void statusAndDescription() {
        assertInvalid(with("\"status\":\"deleted\""), "status");
        assertInvalid(with("\"status\":\"ACTIVE\""), "status");
        assertInvalid(with("\"status\":true"), "status");
        assertInvalid(with("\"description\":" + quote("d".repeat(1025))), "description");
        assertInvalid(with("\"timeout_ms\":\"1000\""), "timeout_ms");
        assertInvalid(with("\"timeout_ms\":1000.5"), "timeout_ms");
        var paused = with("\"status\":\"paused\"");
        accepted(paused);
        assertThat(paused.json().get("status").stringValue()).isEqualTo("paused");
    }
}
