package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.signing.Signer;
import dev.herald.testing.Eventually;
import dev.herald.testing.LoopbackReceiver;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code herald listen}: real deliveries of a real Herald, forwarded by the CLI to a receiver on loopback, each once,
 * with the delivery's id, type and a signature the endpoint's secret verifies; a paused endpoint is said to be paused.
 */
class CliListenTest {
    private static TestHerald herald;
    private static LoopbackReceiver local;
    private static CliRunner admin;

    @BeforeAll
    static void start() {
        herald = TestHerald.sqlite();
        local = new LoopbackReceiver();
        admin = new CliRunner(herald);
        herald.seed("cli-seed", "order.created");
    }

    @AfterAll
    static void stop() {
        local.close();
        herald.close();
    }

    /** Runs listen on its own thread until {@link #stop} interrupts it (as Ctrl-C does), capturing what it printed. */
    private static final class Listening {
        final Thread thread;
        final CompletableFuture<CliRunner.Run> done = new CompletableFuture<>();
        final java.io.StringWriter out = new java.io.StringWriter();

        Listening(CliRunner as, String... args) {
            thread = Thread.ofPlatform().start(() -> done.complete(as.run(out, new java.io.StringWriter(), args)));
            Eventually.until("listen started", Duration.ofSeconds(10), () -> out.toString().contains("Forwarding")
                    || done.isDone(), started -> started);
        }

        CliRunner.Run stop() throws Exception {
            thread.interrupt();
            return done.get(20, TimeUnit.SECONDS);
        }
    }

    /** A paused event endpoint: Herald seals its deliveries and holds them; listen forwards them all the same. */
    private static String pausedEndpoint(String tenant) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("endpoint", ".json");
        java.nio.file.Files.writeString(file, "{\"status\": \"paused\"}");
        CliRunner.Run run = admin.run("endpoints", "create", tenant, "--json", "--from-file", file.toString(),
                "--endpoint-url", local.url("/real/" + tenant), "--format", "event");
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run.json().path("id").stringValue();
    }

    private static void publish(String tenant, int n) {
        CliRunner.Run run = admin.run("events", "publish", tenant, "--type", "order.created", "--data", "{\"n\":" + n + "}");
        assertThat(run.exitCode()).as("%s", run).isZero();
    }

    private static List<LoopbackReceiver.Received> awaitReceived(String path, int n) {
        return Eventually.until(n + " forwarded to " + path, Duration.ofSeconds(15), () -> local.received(path),
                r -> r.size() >= n);
    }

    @Test
    void forwardsEachNewDeliveryOnceWithItsHeadersAndAVerifiableSignature() throws Exception {
        admin.run("tenants", "create", "t-listen");
        String endpoint = pausedEndpoint("t-listen");
        String key = admin.run("keys", "create", "t-listen", "--json").json().path("key").stringValue();
        publish("t-listen", 1);
        Eventually.until("the first delivery", Duration.ofSeconds(10),
                () -> admin.run("deliveries", "list", "t-listen", "--json").json().path("data"), d -> d.size() == 1);

        Listening listen = new Listening(new CliRunner(herald.baseUrl(), key), "listen", "t-listen", endpoint,
                "--forward-to", local.url("/dev"), "--since", "1h", "--interval", "100ms");
        awaitReceived("/dev", 1);
        publish("t-listen", 2);
        publish("t-listen", 3);
        awaitReceived("/dev", 3);
        // why: by the time a fourth arrives, later polls have listed the first three again (they are inside the cursor's
        // slack): none of them may have been forwarded again
        publish("t-listen", 4);
        List<LoopbackReceiver.Received> got = awaitReceived("/dev", 4);
        CliRunner.Run run = listen.stop();

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(local.received("/dev")).hasSize(4);
        assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(4);
        assertThat(got.stream().map(r -> dev.herald.json.Json.parse(r.body()).path("data").path("n").asInt()))
                .containsExactly(1, 2, 3, 4);
        assertThat(local.received("/real/t-listen")).as("Herald holds a paused endpoint's deliveries").isEmpty();

        String secret = admin.run("endpoints", "secret", "t-listen", endpoint, "--json").json().path("secret").stringValue();
        for (LoopbackReceiver.Received r : got) {
            JsonNode body = dev.herald.json.Json.parse(r.body());
            String id = r.header("webhook-id");
            assertThat(r.header("X-Webhook-Delivery")).isEqualTo(id).isEqualTo(body.path("delivery_key").stringValue());
            assertThat(r.header("X-Webhook-Event")).isEqualTo("order.created");
            assertThat(r.header("Content-Type")).startsWith("application/json");
            long ts = Long.parseLong(r.header("webhook-timestamp"));
            assertThat(r.header("webhook-signature"))
                    .isEqualTo(Signer.sign(List.of(secret), id, ts, r.body().getBytes(StandardCharsets.UTF_8)));
        }

        assertThat(run.out()).contains("Forwarding deliveries of endpoint " + endpoint)
                .contains("Endpoint " + endpoint + " is paused").contains("Stopped after forwarding 4 deliveries.");
        for (LoopbackReceiver.Received r : got) {
            assertThat(run.out()).containsPattern("(?m)^\\S+  " + r.header("webhook-id") + "  order.created  -> 200$");
        }
        assertThat(run.out() + run.err()).doesNotContain(key);
    }

    @Test
    void startsFromNowForwardsALocalFailureOnceAndGoesUnsignedWithAReadOnlySession() throws Exception {
        admin.run("tenants", "create", "t-ro");
        String endpoint = pausedEndpoint("t-ro");
        publish("t-ro", 1);
        Eventually.until("the earlier delivery", Duration.ofSeconds(10),
                () -> admin.run("deliveries", "list", "t-ro", "--json").json().path("data"), d -> d.size() == 1);
        String session = admin.run("portal-link", "t-ro", "--read-only", "--json").json().path("token").stringValue();
        local.answer("/ro", 500, "local bug");

        // why: the earlier delivery was created before listen started; only what comes after is forwarded
        Listening listen = new Listening(new CliRunner(herald.baseUrl(), session),
                "listen", "t-ro", endpoint, "--forward-to", local.url("/ro"), "--interval", "100ms");
        publish("t-ro", 2);
        awaitReceived("/ro", 1);
        publish("t-ro", 3);
        List<LoopbackReceiver.Received> got = awaitReceived("/ro", 2);
        CliRunner.Run run = listen.stop();

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(local.received("/ro")).as("a local 500 is printed, not forwarded again").hasSize(2);
        assertThat(got.stream().map(r -> dev.herald.json.Json.parse(r.body()).path("data").path("n").asInt()))
                .containsExactly(2, 3);
        assertThat(got.getFirst().header("webhook-signature")).isNull();
        assertThat(run.err()).contains("forwarding unsigned: this token may not read the endpoint's secret");
        assertThat(run.out()).containsPattern("order.created  -> 500");
    }

    @Test
    void aBadForwardUrlIsAUsageErrorAndAnUnknownEndpointAnApiError() {
        admin.run("tenants", "create", "t-bad");
        CliRunner.Run bad = admin.run("listen", "t-bad", "nope", "--forward-to", "localhost:3000");
        assertThat(bad.exitCode()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("--forward-to: must be an http:// or https:// URL");
        CliRunner.Run missing = admin.run("listen", "t-bad", "nope", "--forward-to", local.url("/x"));
        assertThat(missing.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(missing.err()).isEqualTo("herald: no endpoint nope for tenant t-bad\n");
        assertThat(admin.run("listen", "t-bad", "nope").exitCode()).isEqualTo(Main.USAGE);
    }
}
