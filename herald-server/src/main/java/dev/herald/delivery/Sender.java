package dev.herald.delivery;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.endpoint.TargetGuard;
import dev.herald.signing.Signer;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.OutsideText;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/** Makes one signed HTTP attempt of a claimed delivery and reports what came back. */
final class Sender {
    static final int MAX_RESPONSE_BODY = 4096;
    private static final MediaType JSON = MediaType.get("application/json");

    /** What an attempt brought back; {@code statusCode} null when no answer came. */
    record Result(Instant at, Integer statusCode, long durationMs, String error, String responseBody, Duration retryAfter) {
    }

    private final HttpClients clients;
    private final TargetGuard guard;
    private final String userAgent;
    private final Clock clock;

    Sender(HttpClients clients, TargetGuard guard, String userAgent, Clock clock) {
        this.clients = clients;
        this.guard = guard;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    Result send(Claim claim) {
        Endpoint e = claim.endpoint();
        Instant at = clock.instant();
        long started = System.nanoTime();
        HttpUrl url = HttpUrl.parse(e.spec().url());
        if (url == null) {
            return new Result(at, null, 0, "the endpoint URL does not parse", null, null);
        }
        try {
            checkLiteralAddress(url.host());
        } catch (IOException refused) {
            return new Result(at, null, 0, refused.getMessage(), null, null);
        }
        long timestamp = at.getEpochSecond();
        Request.Builder request = new Request.Builder()
                .url(url)
                .post(RequestBody.create(claim.body(), JSON));
        for (Map.Entry<String, String> header : e.spec().headers().entrySet()) {
            try {
                request.header(header.getKey(), header.getValue());
            } catch (IllegalArgumentException unsendable) {
                // why: OkHttp's message quotes the value, which may be a credential; an endpoint stored
                // before values were held to printable ASCII can still hold one that OkHttp refuses
                String error = EndpointValidator.isHeaderName(header.getKey())
                        ? "header " + header.getKey() + " has a value Herald cannot send (" + EndpointValidator.HEADER_VALUE_RULE + ")"
                        : "a header has a name Herald cannot send (names must be HTTP tokens)";
                return new Result(at, null, 0, error + "; correct the endpoint's headers", null, null);
            }
        }
        request.header("Content-Type", "application/json")
                .header("User-Agent", userAgent)
                .header("X-Request-ID", UUID.randomUUID().toString())
                .header("X-Webhook-Retry", Integer.toString(claim.attemptCount()))
                .header("X-Webhook-Delivery", claim.deliveryId())
                .header("webhook-id", claim.deliveryId())
                .header("X-Webhook-Event", claim.eventType())
                .header("X-Webhook-Timestamp", Long.toString(timestamp))
                .header("webhook-timestamp", Long.toString(timestamp));
        if (claim.test()) {
            request.header("X-Webhook-Test", "true");
        }
        String signature = Signer.sign(e.liveSecrets(at), claim.deliveryId(), timestamp, claim.body());
        request.header("X-Webhook-Signature", signature).header("webhook-signature", signature);

        try (Response response = execute(clients.forTls(e.spec().tls()), request, e.spec().timeout(), started)) {
            String body = readCapped(response.body());
            return new Result(at, response.code(), elapsedMs(started), null, body, retryAfter(response, at));
        } catch (InterruptedIOException timeout) {
            return new Result(at, null, elapsedMs(started), "timed out after " + e.spec().timeout().toMillis() + " ms", null, null);
        } catch (TargetGuard.PrivateTargetException refused) {
            return new Result(at, null, elapsedMs(started), refused.getMessage(), null, null);
        } catch (IOException failure) {
            return new Result(at, null, elapsedMs(started), describe(failure), null, null);
        }
    }

    /**
     * Runs the call within {@code timeout} of {@code startedNanos}. When it fails on a pooled connection before
     * any answer arrived (the receiver had closed the idle connection, as Node does after 5 s and many load
     * balancers after 60 s), it is sent again at once on a fresh connection, within the same deadline: the
     * receiver never answered it, so this is the same attempt, not a retry of the delivery.
     */
    private Response execute(OkHttpClient client, Request.Builder request, Duration timeout, long startedNanos)
            throws IOException {
        HttpClients.ConnectionTrace trace = new HttpClients.ConnectionTrace();
        Call call = client.newCall(request.tag(HttpClients.ConnectionTrace.class, trace).build());
        call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return call.execute();
        } catch (InterruptedIOException | TargetGuard.PrivateTargetException e) {
            throw e;
        } catch (IOException e) {
            long left = timeout.toNanos() - (System.nanoTime() - startedNanos);
            if (!trace.failedOnAReusedConnectionBeforeAnAnswer() || left <= 0) {
                throw e;
            }
            Call again = clients.fresh(client).newCall(request
                    .header("X-Request-ID", UUID.randomUUID().toString())
                    .tag(HttpClients.ConnectionTrace.class, new HttpClients.ConnectionTrace())
                    .build());
            again.timeout().timeout(left, TimeUnit.NANOSECONDS);
            return again.execute();
        }
    }

    private void checkLiteralAddress(String host) throws IOException {
        // why: OkHttp resolves names through the guard, but an IP literal never reaches a resolver
        if (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            guard.resolve(host);
        }
    }

    private static String readCapped(ResponseBody body) throws IOException {
        BufferedSource source = body.source();
        source.request(MAX_RESPONSE_BODY);
        Buffer buffer = source.getBuffer();
        long n = Math.min(buffer.size(), MAX_RESPONSE_BODY);
        return OutsideText.decode(buffer.readByteArray(n));
    }

    /** {@code Retry-After} on 429 and 503, in seconds or as an HTTP date; null otherwise. */
    static Duration retryAfter(Response response, Instant now) {
        if (response.code() != 429 && response.code() != 503) {
            return null;
        }
        String value = response.header("Retry-After");
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds >= 0 ? Duration.ofSeconds(Math.min(seconds, 366L * 86_400)) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return when.isAfter(now) ? Duration.between(now, when) : Duration.ZERO;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static final Set<String> TERSE = Set.of("java.net.ConnectException", "java.net.UnknownHostException");

    private static String describe(IOException e) {
        String kind = TERSE.contains(e.getClass().getName()) ? "" : e.getClass().getSimpleName() + ": ";
        return kind + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static long elapsedMs(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

}
