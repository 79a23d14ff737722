package dev.herald.receiver;

import dev.herald.receiver.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Verifies that a request is a webhook Herald signed for your endpoint (the Standard Webhooks scheme) and that it
 * is fresh.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.forKeys(System.getenv("HERALD_ENDPOINT_SECRET"));
 * VerifiedWebhook webhook = verifier.verify(exchange.getRequestHeaders(), rawBody);
 * }</pre>
 *
 * <p>The signed content is {@code webhook-id + "." + webhook-timestamp + "." + body}, so pass the body's bytes
 * exactly as received: JSON parsed and written again is not the same bytes. The {@code webhook-signature} header
 * holds one or more space-separated signatures (two while a secret rotates); a request is authentic when any one of
 * them verifies with any one of the keys, so a receiver may also hold the old and the new key while it switches.
 * {@code v1,} signatures are checked with {@code whsec_} secrets (HMAC-SHA256, compared in constant time),
 * {@code v1a,} signatures with {@code whpk_} public keys (ed25519); other versions are ignored.
 *
 * <p>The timestamp must be within the tolerance of this machine's clock, in either direction, so a captured request
 * cannot be replayed later. Herald signs every attempt afresh, so a retry days later is fresh too.
 *
 * <p>Immutable and thread-safe: make one at start and share it. The {@code with...} methods return a changed copy.
 */
public final class WebhookVerifier {
    /** How far a request's timestamp may be from this machine's clock, in either direction, by default: 5 minutes. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final List<VerificationKey> keys;
    private final Duration tolerance;
    private final Clock clock;

    private WebhookVerifier(List<VerificationKey> keys, Duration tolerance, Clock clock) {
        this.keys = keys;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * A verifier that accepts a signature by any of {@code keys}: an endpoint's secret ({@code whsec_...}) or its
     * ed25519 public key ({@code whpk_...}), as Herald shows them. Give two while switching from an old key to a new.
     *
     * @throws IllegalArgumentException when there is no key, or one is not in either form (the message says which)
     */
    public static WebhookVerifier forKeys(String... keys) {
        return forKeys(Arrays.asList(Objects.requireNonNull(keys, "keys")));
    }

    /** As {@link #forKeys(String...)}. */
    public static WebhookVerifier forKeys(Collection<String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("give at least one key: the endpoint's secret (whsec_...) or public key"
                    + " (whpk_...), as Herald shows it when the endpoint is created or its secret rotated");
        }
        List<VerificationKey> parsed = new ArrayList<>();
        int n = 0;
        for (String key : keys) {
            n++;
            parsed.add(VerificationKey.parse("key " + n + " of " + keys.size(), key));
        }
        return new WebhookVerifier(List.copyOf(parsed), DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /** A copy that accepts timestamps up to {@code tolerance} from this machine's clock (default 5 minutes). */
    public WebhookVerifier withTolerance(Duration tolerance) {
        if (tolerance == null || tolerance.isNegative() || tolerance.isZero()) {
            throw new IllegalArgumentException("tolerance must be a positive duration, such as Duration.ofMinutes(5);"
                    + " it was " + tolerance);
        }
        return new WebhookVerifier(keys, tolerance, clock);
    }

    /** A copy that reads the time from {@code clock} (tests move it; the default is the system clock). */
    public WebhookVerifier withClock(Clock clock) {
        return new WebhookVerifier(keys, tolerance, Objects.requireNonNull(clock, "clock"));
    }

    public Duration tolerance() {
        return tolerance;
    }

    /**
     * Verifies one request.
     *
     * @param headers the request's headers; names are matched ignoring case, values may be a {@code String}, a
     *                {@code List<String>} or a {@code String[]} (so {@code com.sun.net.httpserver.Headers},
     *                {@code java.net.http.HttpHeaders#map()} and a plain {@code Map<String, String>} all do). The
     *                Standard Webhooks names are read, or {@code X-Webhook-Delivery}, {@code X-Webhook-Timestamp}
     *                and {@code X-Webhook-Signature} when those are absent.
     * @param body    the raw body, byte for byte as received
     * @return the delivery id and the time the attempt was sent
     * @throws WebhookVerificationException when a header is missing or malformed, the timestamp is outside the
     *                                      tolerance, or no signature verifies; do not process such a request
     */
    public VerifiedWebhook verify(Map<String, ?> headers, byte[] body) throws WebhookVerificationException {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        SignedHeaders signed = SignedHeaders.of(headers);
        Instant sent = checkFresh(signed.timestamp);
        byte[] prefix = (signed.id + "." + signed.timestamp + ".").getBytes(StandardCharsets.UTF_8);
        checkSignature(signed.signature, prefix, body);
        return new VerifiedWebhook(signed.id, sent);
    }

    /** As {@link #verify(Map, byte[])}, for a body already read as text; it is signed as its UTF-8 bytes. */
    public VerifiedWebhook verify(Map<String, ?> headers, String body) throws WebhookVerificationException {
        return verify(headers, Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    private Instant checkFresh(String timestamp) throws WebhookVerificationException {
        Instant sent;
        try {
            sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
        } catch (NumberFormatException | DateTimeException e) {
            throw new WebhookVerificationException(Reason.MALFORMED_HEADER, "malformed header " + SignedHeaders.TIMESTAMP
                    + ": it must be whole Unix seconds, as Herald sends it");
        }
        Duration age = Duration.between(sent, clock.instant());
        if (age.compareTo(tolerance) > 0) {
            throw new WebhookVerificationException(Reason.TIMESTAMP_TOO_OLD, "timestamp too old: sent " + age.toSeconds()
                    + " s before this machine's time, more than the " + tolerance.toSeconds() + " s tolerance; a replayed"
                    + " request, or this machine's clock is wrong (check that it is synchronised with NTP)");
        }
        if (age.negated().compareTo(tolerance) > 0) {
            throw new WebhookVerificationException(Reason.TIMESTAMP_IN_FUTURE, "timestamp too far in the future: sent "
                    + age.negated().toSeconds() + " s after this machine's time, more than the " + tolerance.toSeconds()
                    + " s tolerance; this machine's clock is probably behind (check that it is synchronised with NTP)");
        }
        return sent;
    }

    private void checkSignature(String header, byte[] prefix, byte[] body) throws WebhookVerificationException {
        TreeSet<String> versionsSeen = new TreeSet<>();
        for (String entry : header.trim().split("\\s+")) {
            int comma = entry.indexOf(',');
            byte[] signature;
            try {
                signature = comma > 0 ? Base64.getDecoder().decode(entry.substring(comma + 1)) : new byte[0];
            } catch (IllegalArgumentException e) {
                continue; // why: one garbled entry must not hide a good one beside it
            }
            if (signature.length == 0) {
                continue;
            }
            String version = entry.substring(0, comma);
            versionsSeen.add(version);
            for (VerificationKey key : keys) {
                if (key.version().equals(version) && key.verifies(signature, prefix, body)) {
                    return;
                }
            }
        }
        if (versionsSeen.isEmpty()) {
            throw new WebhookVerificationException(Reason.MALFORMED_HEADER, "malformed header " + SignedHeaders.SIGNATURE
                    + ": it holds no \"<version>,<base64>\" signature, such as the \"v1,...\" Herald sends");
        }
        TreeSet<String> versionsHeld = new TreeSet<>();
        keys.forEach(k -> versionsHeld.add(k.version()));
        if (versionsSeen.stream().noneMatch(versionsHeld::contains)) {
            throw new WebhookVerificationException(Reason.SIGNATURE_MISMATCH, "signature does not match: the request"
                    + " carries " + String.join(", ", versionsSeen) + " signatures and the keys given verify only "
                    + String.join(", ", versionsHeld) + " (v1 is a whsec_ secret, v1a a whpk_ public key); give the"
                    + " key of the kind this endpoint signs with");
        }
        throw new WebhookVerificationException(Reason.SIGNATURE_MISMATCH, "signature does not match: no signature in "
                + SignedHeaders.SIGNATURE + " verifies with the " + (keys.size() == 1 ? "key" : keys.size() + " keys")
                + " given; check that the key is this endpoint's current one (after a rotation the old one still signs"
                + " for 24 h), and that the body passed is the raw bytes received, not JSON parsed and written again");
    }
}
