package dev.herald.cli;

import dev.herald.json.Json;
import dev.herald.signing.Signer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code herald listen TENANT ENDPOINT --forward-to URL}: a partner's laptop sees real webhooks without being reachable
 * from the internet. It polls the endpoint's deliveries through the API (a tenant key or portal session will do) and
 * POSTs each new one's body to a local URL, with the delivery's id, event type and, when the token may read the
 * endpoint's HMAC secret, a signature the local receiver can verify as it would Herald's own.
 *
 * <p>The cursor: deliveries are listed by {@code created_at}, newest first, from a watermark. Every delivery forwarded
 * is remembered until the watermark passes it, and the watermark trails the newest delivery seen by {@link #SLACK},
 * because a delivery sealed in a transaction that committed late may carry an earlier {@code created_at} than one
 * already seen. So nothing is forwarded twice, and nothing sealed late is skipped.
 */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = {"Forward an endpoint's new deliveries to a local URL, one line per delivery, until Ctrl-C.",
                "Works with a tenant key or portal session; the endpoint may be paused meanwhile (Herald then holds its",
                "deliveries, and listen still forwards them)."})
final class ListenCommand implements Callable<Integer> {
    /** How far behind the newest delivery seen the listing starts again. */
    static final Duration SLACK = Duration.ofSeconds(30);
    private static final MediaType JSON = MediaType.get("application/json");

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "TENANT")
    String tenant;

    @Parameters(index = "1", paramLabel = "ENDPOINT")
    String endpoint;

    @Option(names = "--forward-to", required = true, paramLabel = "<url>",
            description = "Where to POST each delivery, like http://localhost:3000/webhooks")
    String forwardTo;

    @Option(names = "--since", paramLabel = "<time>",
            description = "Forward deliveries created from this time: " + Times.INSTANT_HELP + " [now]")
    String since;

    @Option(names = "--interval", paramLabel = "<span>", description = "How often to ask Herald for new deliveries [1s]")
    String interval;

    private final Map<String, Instant> forwarded = new HashMap<>();
    private Instant watermark;
    private String lastStatus;
    private long count;
    private Instant newest;

    @Override
    public Integer call() {
        HttpUrl target = HttpUrl.parse(forwardTo);
        if (target == null) {
            throw api.usage("--forward-to: must be an http:// or https:// URL like http://localhost:3000/webhooks, was '"
                    + forwardTo + "'");
        }
        Duration every = interval == null ? Duration.ofSeconds(1) : Times.span(interval).filter(d -> d.toMillis() >= 100)
                .orElseThrow(() -> api.usage("--interval: must be a span of 100ms or more like 500ms, 1s or 5s, was '"
                        + interval + "'"));
        watermark = since == null ? api.env().clock().instant().truncatedTo(ChronoUnit.MILLIS)
                : Instant.parse(api.instant("--since", since));
        ApiClient client = api.client();
        JsonNode ep = client.get(client.url("v1", "tenants", tenant, "endpoints", endpoint)).json();
        String secret = hmacSecret(client);
        OkHttpClient local = client.http().newBuilder().readTimeout(Duration.ofSeconds(30)).build();
        api.out().println("Forwarding deliveries of endpoint " + endpoint + " (" + ep.path("url").asString("") + ") to "
                + target + ", from " + watermark + ". Ctrl-C to stop.");
        api.out().flush();
        return loop(client, local, target, secret, every);
    }

    private int loop(ApiClient client, OkHttpClient local, HttpUrl target, String secret, Duration every) {
        Thread worker = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        // why: Ctrl-C interrupts the poll or the forward in progress and waits for the loop to say so, so the last line
        // printed is complete and no delivery is half-forwarded without a line
        Thread hook = new Thread(() -> {
            worker.interrupt();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "herald-listen-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                reportStatus(client);
                for (JsonNode d : newDeliveries(client)) {
                    forward(client, local, target, secret, d);
                }
                Thread.sleep(every);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ApiException e) {
            if (!(e.getCause() instanceof InterruptedIOException) && !Thread.currentThread().isInterrupted()) {
                throw e;
            }
        } finally {
            api.out().println("Stopped after forwarding " + count + (count == 1 ? " delivery." : " deliveries."));
            api.out().flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and waits for the latch above
            }
        }
        return Main.OK;
    }

    /** Says when the endpoint becomes paused (with its reason) or active again. */
    private void reportStatus(ApiClient client) {
        JsonNode ep = client.get(client.url("v1", "tenants", tenant, "endpoints", endpoint)).json();
        String status = ep.path("status").asString("");
        if (!status.equals(lastStatus)) {
            if (status.equals("paused")) {
                String reason = ep.path("paused_reason").asString("");
                api.out().println("Endpoint " + endpoint + " is paused" + (reason.isEmpty() ? "" : " (" + reason + ")")
                        + ": Herald holds its deliveries; listen still forwards them here.");
            } else if (lastStatus != null) {
                api.out().println("Endpoint " + endpoint + " is " + status + " again.");
            }
            api.out().flush();
            lastStatus = status;
        }
    }

    /** Deliveries created since the watermark and not yet forwarded, oldest first. */
    private List<JsonNode> newDeliveries(ApiClient client) {
        List<JsonNode> found = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> query = new HashMap<>();
            query.put("endpoint_id", endpoint);
            query.put("since", watermark.toString());
            query.put("limit", "250");
            query.put("cursor", cursor);
            JsonNode page = client.get(client.url(query, "v1", "tenants", tenant, "deliveries")).json();
            for (JsonNode d : page.path("data")) {
                if (!forwarded.containsKey(d.path("id").asString())) {
                    found.add(d);
                }
            }
            cursor = page.path("next_cursor").isString() ? page.path("next_cursor").stringValue() : null;
        } while (cursor != null);
        found.sort(Comparator.comparing((JsonNode d) -> Instant.parse(d.path("created_at").asString()))
                .thenComparing(d -> d.path("id").asString()));
        return found;
    }

    private void forward(ApiClient client, OkHttpClient local, HttpUrl target, String secret, JsonNode listed) {
        String id = listed.path("id").asString();
        JsonNode d = client.get(client.url("v1", "tenants", tenant, "deliveries", id)).json();
        byte[] body = Json.bytes(d.path("body"));
        String type = d.path("event_type").asString("");
        long now = api.env().clock().instant().getEpochSecond();
        Request.Builder r = new Request.Builder().url(target).post(RequestBody.create(body, JSON))
                .header("User-Agent", "herald-listen")
                .header("X-Webhook-Delivery", id).header("webhook-id", id)
                .header("X-Webhook-Event", type)
                .header("X-Webhook-Retry", "0")
                .header("X-Webhook-Timestamp", Long.toString(now)).header("webhook-timestamp", Long.toString(now));
        if (secret != null) {
            String signature = Signer.sign(List.of(secret), id, now, body);
            r.header("X-Webhook-Signature", signature).header("webhook-signature", signature);
        }
        if (d.path("test").asBoolean()) {
            r.header("X-Webhook-Test", "true");
        }
        String outcome;
        try (Response answer = local.newCall(r.build()).execute()) {
            outcome = Integer.toString(answer.code());
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            outcome = "stopped";
        } catch (IOException e) {
            outcome = "failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        // why: a local failure is printed, not retried: listen shows what Herald sent, once; Herald itself retries
        remember(id, Instant.parse(d.path("created_at").asString()));
        count++;
        api.out().println(api.env().clock().instant().truncatedTo(ChronoUnit.SECONDS) + "  " + id + "  " + type
                + (d.path("test").asBoolean() ? " (test)" : "") + "  -> " + outcome);
        api.out().flush();
    }

    private void remember(String id, Instant createdAt) {
        forwarded.put(id, createdAt);
        if (newest == null || createdAt.isAfter(newest)) {
            newest = createdAt;
        }
        Instant trailing = newest.minus(SLACK);
        if (trailing.isAfter(watermark)) {
            watermark = trailing;
            forwarded.values().removeIf(t -> t.isBefore(watermark));
        }
    }

    /** The endpoint's HMAC secret when this token may read it; null (forward unsigned, and say so) otherwise. */
    private String hmacSecret(ApiClient client) {
        try {
            JsonNode keys = client.get(client.url("v1", "tenants", tenant, "endpoints", endpoint, "secret")).json();
            if (keys.path("secret").isString()) {
                return keys.path("secret").stringValue();
            }
            api.err().println("herald: forwarding unsigned: the endpoint signs with ed25519, whose private key never"
                    + " leaves Herald");
        } catch (ApiException e) {
            api.err().println("herald: forwarding unsigned: this token may not read the endpoint's secret (" + e.line() + ")");
        }
        api.err().flush();
        return null;
    }
}
