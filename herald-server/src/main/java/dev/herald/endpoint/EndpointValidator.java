package dev.herald.endpoint;

import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Ordering;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.RetryPolicy.Kind;
import dev.herald.endpoint.RetryPolicy.RetryOn;
import dev.herald.signing.Secrets;
import dev.herald.signing.Signing;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns an endpoint's JSON (a registration, or a stored endpoint with a PATCH laid over it) into a valid
 * {@link EndpointSpec}, or refuses it naming the field and the rule.
 */
public final class EndpointValidator {
    public static final int MAX_URL_LENGTH = 2048;
    public static final int MAX_DESCRIPTION_LENGTH = 1024;
    public static final int MAX_EVENT_TYPES = 256;
    public static final int MAX_HEADERS = 32;
    public static final int MAX_HEADER_VALUE_LENGTH = 2048;
    public static final int DEFAULT_TIMEOUT_MS = 10_000;
    public static final int MIN_TIMEOUT_MS = 100;
    public static final int MAX_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_CONCURRENCY = 8;
    public static final int MAX_CONCURRENCY = 100;
    public static final int MAX_RATE_LIMIT_PER_S = 10_000;

    static final String[] FIELDS = {"url", "description", "event_types", "format", "batch", "retry", "headers",
            "secret", "signing", "tls", "timeout_ms", "max_concurrency", "rate_limit_per_s", "ordering", "status"};
    /** The port of an authority: what follows the last colon that is not inside an IPv6 literal's brackets. */
    private static final Pattern PORT = Pattern.compile(".*[^:]:([^:\\]]*)");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    /** What a header value may hold; said in every refusal instead of the value, which may be a credential. */
    public static final String HEADER_VALUE_RULE = "values must be printable ASCII (0x20 to 0x7E: no tabs, line breaks"
            + " or other characters)";
    /** Headers Herald sets itself, or that HTTP owns; an endpoint's own headers may not replace them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "content-encoding",
            "user-agent", "host", "connection", "transfer-encoding", "te", "trailer", "upgrade", "keep-alive",
            "proxy-authorization", "expect", "x-request-id");

    private final Function<List<String>, List<String>> unknownEventTypes;
    private final TargetGuard guard;

    /** @param unknownEventTypes given names, answers those that are not in the catalogue */
    public EndpointValidator(Function<List<String>, List<String>> unknownEventTypes, TargetGuard guard) {
        this.unknownEventTypes = unknownEventTypes;
        this.guard = guard;
    }

    /** Validates a whole endpoint: a registration, or a merged PATCH ({@link #merge}). */
    public EndpointSpec validate(JsonNode body) {
        Fields f = Fields.of(body, "").only(FIELDS);
        String url = url(f);
        String description = f.string("description", "", MAX_DESCRIPTION_LENGTH);
        List<String> types = f.strings("event_types", MAX_EVENT_TYPES, Subscription.ENTRY, Subscription.ENTRY_RULE);
        // why: a wildcard need not match a type yet; it selects whichever types exist when an event is published
        List<String> names = Subscription.names(types);
        List<String> unknown = names.isEmpty() ? List.of() : unknownEventTypes.apply(names);
        if (!unknown.isEmpty()) {
            throw new Invalid("event_types", "names unknown event types " + unknown
                    + "; create them first with POST /v1/event-types");
        }
        Format format = f.choice("format", Format.BATCH, Format.class);
        Batching batch = batching(f, format);
        RetryPolicy retry = retry(f, format);
        Map<String, String> headers = headers(f);
        TlsSettings tls = tls(f, url);
        Duration timeout = Duration.ofMillis(f.integer("timeout_ms", DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS));
        int maxConcurrency = (int) f.integer("max_concurrency", DEFAULT_MAX_CONCURRENCY, 1, MAX_CONCURRENCY);
        Integer rateLimit = f.has("rate_limit_per_s") ? (int) f.integer("rate_limit_per_s", 0, 1, MAX_RATE_LIMIT_PER_S) : null;
        Ordering ordering = f.choice("ordering", Ordering.NONE, Ordering.class);
        Status status = f.choice("status", Status.ACTIVE, Status.class);
        signing(f);
        return new EndpointSpec(url, description, types, format, batch, retry, headers, tls, timeout, maxConcurrency, rateLimit,
                ordering, status);
    }

    /**
     * The signing key a registration starts with, as stored: the {@code secret} given or a new one for
     * {@code hmac-sha256}; a new key pair for {@code ed25519}, where a given {@code secret} is refused.
     */
    public static String initialKey(JsonNode body) {
        Fields f = Fields.of(body, "");
        Signing signing = signing(f);
        if (signing == Signing.ED25519) {
            if (f.has("secret")) {
                throw new Invalid("secret", "cannot be given with signing \"ed25519\": Herald makes the key pair and keeps the"
                        + " private key; leave secret out and verify with the public_key in the answer");
            }
            return signing.newKey();
        }
        return f.has("secret") ? Secrets.validate("secret", f.requiredString("secret")) : signing.newKey();
    }

    /** The scheme a PATCH asks for: empty when it does not name {@code signing}, the default when it sets it to null. */
    public static java.util.Optional<Signing> requestedSigning(JsonNode patch) {
        Fields p = Fields.of(patch, "");
        return p.present("signing") ? java.util.Optional.of(signing(p)) : java.util.Optional.empty();
    }

    private static Signing signing(Fields f) {
        return f.choice("signing", Signing.HMAC_SHA256, Signing.class);
    }

    /**
     * Lays a PATCH over a stored endpoint. A field in the patch replaces the stored one (objects such as
     * {@code retry} whole); {@code null} resets it to its default. Changing {@code format} without naming
     * {@code batch} or {@code retry} resets those to the new format's defaults.
     */
    public static JsonNode merge(EndpointSpec current, JsonNode patch) {
        Fields p = Fields.of(patch, "").only(FIELDS);
        if (p.present("secret")) {
            throw new Invalid("secret", "cannot be changed by PATCH; use POST .../rotate-secret, which keeps the old"
                    + " secret signing for 24 hours");
        }
        ObjectNode merged = EndpointJson.spec(current, true);
        // why: a null format resets it to its default, which is a change of format too
        JsonNode newFormat = !p.present("format") ? merged.get("format")
                : p.has("format") ? p.raw("format") : tools.jackson.databind.node.StringNode.valueOf(Format.BATCH.toString());
        boolean formatChanges = !newFormat.equals(merged.get("format"));
        if (formatChanges) {
            merged.remove("batch");
            merged.remove("retry");
        }
        for (String name : patch.propertyNames()) {
            JsonNode v = patch.get(name);
            if (v.isNull()) {
                merged.remove(name);
            } else {
                merged.set(name, v);
            }
        }
        return merged;
    }

    private String url(Fields f) {
        String raw = f.requiredString("url");
        if (raw.length() > MAX_URL_LENGTH) {
            throw new Invalid("url", "must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new Invalid("url", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new Invalid("url", "must be an absolute http:// or https:// URL");
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        // why: after the user info, whose password must neither be taken for a port nor repeated
        Matcher port = PORT.matcher(authority.substring(authority.lastIndexOf('@') + 1));
        if (port.matches() && !validPort(port.group(1))) {
            throw new Invalid("url", "has port " + port.group(1) + "; a port must be a whole number from 1 to 65535");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Invalid("url", "must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Invalid("url", "must not carry credentials; send them in the endpoint's headers instead");
        }
        if (uri.getRawFragment() != null) {
            throw new Invalid("url", "must not have a #fragment");
        }
        if (HttpUrl.parse(raw) == null) {
            // why: the sender parses the URL with OkHttp; what it cannot parse would fail every attempt
            throw new Invalid("url", "is not a URL the HTTP client can send to");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        try {
            guard.resolve(host);
        } catch (TargetGuard.PrivateTargetException e) {
            throw new Invalid("url", e.getMessage());
        } catch (UnknownHostException e) {
            throw new Invalid("url", "host " + host + " does not resolve");
        }
        return raw;
    }

    /** A port as the URL spells it: at most 5 digits from 1 to 65535, so that 99999999999 is no surprise. */
    private static boolean validPort(String digits) {
        if (digits.isEmpty()) {
            return true;  // why: "host:" means the scheme's default port, as RFC 3986 allows
        }
        if (digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int n = Integer.parseInt(digits);
        return n >= 1 && n <= 65535;
    }

    private static Batching batching(Fields f, Format format) {
        if (!f.has("batch")) {
            return format == Format.BATCH ? Batching.defaults() : null;
        }
        if (format != Format.BATCH) {
            throw new Invalid("batch", "applies only to format \"batch\"");
        }
        Fields b = f.object("batch").only("max_events", "window_ms");
        return new Batching(
                (int) b.integer("max_events", Batching.DEFAULT_MAX_EVENTS, 1, Batching.MAX_MAX_EVENTS),
                Duration.ofMillis(b.integer("window_ms", Batching.DEFAULT_WINDOW.toMillis(), 100, 60_000)));
    }

    private static RetryPolicy retry(Fields f, Format format) {
        RetryPolicy defaults = format == Format.BATCH ? RetryPolicy.polynomialDefault() : RetryPolicy.exponentialDefault();
        if (!f.has("retry")) {
            return defaults;
        }
        Fields r = f.object("retry").only("policy", "max_attempts", "horizon_ms", "initial_delay_ms", "on");
        Kind kind = r.choice("policy", defaults.policy(), Kind.class);
        RetryOn on = r.choice("on", defaults.on(), RetryOn.class);
        long maxHorizon = RetryPolicy.MAX_HORIZON.toMillis();
        if (kind == Kind.POLYNOMIAL) {
            if (r.has("initial_delay_ms")) {
                throw new Invalid("retry.initial_delay_ms", "applies only to policy \"exponential\"; polynomial uses horizon_ms");
            }
            int attempts = (int) r.integer("max_attempts", RetryPolicy.POLYNOMIAL_MAX_ATTEMPTS, 1, RetryPolicy.MAX_ATTEMPTS);
            long horizon = r.integer("horizon_ms", RetryPolicy.POLYNOMIAL_HORIZON.toMillis(), RetryPolicy.MIN_DELAY.toMillis(), maxHorizon);
            RetryPolicy policy = new RetryPolicy(kind, attempts, Duration.ofMillis(horizon), null, on);
            if (attempts > 1 && policy.delayBeforeRetry(1).compareTo(RetryPolicy.MIN_DELAY) < 0) {
                throw new Invalid("retry.horizon_ms", "is too short for " + attempts + " attempts: the first retry would come"
                        + " sooner than 100 ms; raise horizon_ms or lower max_attempts");
            }
            return policy;
        }
        if (r.has("horizon_ms")) {
            throw new Invalid("retry.horizon_ms", "applies only to policy \"polynomial\"; exponential uses initial_delay_ms");
        }
        int attempts = (int) r.integer("max_attempts", RetryPolicy.EXPONENTIAL_MAX_ATTEMPTS, 1, 30);
        long initial = r.integer("initial_delay_ms", RetryPolicy.EXPONENTIAL_INITIAL_DELAY.toMillis(),
                RetryPolicy.MIN_DELAY.toMillis(), maxHorizon);
        RetryPolicy policy = new RetryPolicy(kind, attempts, null, Duration.ofMillis(initial), on);
        if (policy.span().toMillis() > maxHorizon || policy.span().isNegative()) {
            throw new Invalid("retry", "retries would span more than 365 days; lower max_attempts or initial_delay_ms");
        }
        return policy;
    }

    private static Map<String, String> headers(Fields f) {
        Map<String, String> headers = f.stringMap("headers");
        if (headers.size() > MAX_HEADERS) {
            throw new Invalid("headers", "must have at most " + MAX_HEADERS + " entries");
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String field = Fields.member("headers", h.getKey());
            if (!isHeaderName(h.getKey())) {
                throw new Invalid(field, "is not a valid HTTP header name (1 to 64 token characters)");
            }
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower) || lower.startsWith("x-webhook-") || lower.startsWith("webhook-")) {
                throw new Invalid(field, "is set by Herald and cannot be overridden");
            }
            // why: an error never repeats the value, which is often a credential
            String value = h.getValue();
            if (!isHeaderValue(value)) {
                throw new Invalid(field, "has a character Herald cannot send; " + HEADER_VALUE_RULE);
            }
            if (value.length() > MAX_HEADER_VALUE_LENGTH) {
                throw new Invalid(field, "must be at most " + MAX_HEADER_VALUE_LENGTH + " characters, has " + value.length());
            }
        }
        return headers;
    }

    /** Whether {@code name} may be an endpoint header's name: an HTTP token of 1 to 64 characters. */
    public static boolean isHeaderName(String name) {
        return HEADER_NAME.matcher(name).matches();
    }

    /**
     * Whether {@code value} may be sent as a header value: printable ASCII only. HTTP allows more (a tab,
     * bytes 0x80 to 0xFF), but OkHttp refuses bytes over 0x7E and receivers disagree about both.
     */
    public static boolean isHeaderValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static TlsSettings tls(Fields f, String url) {
        if (!f.has("tls")) {
            return null;
        }
        if (!url.regionMatches(true, 0, "https:", 0, 6)) {
            throw new Invalid("tls", "applies only to https:// URLs");
        }
        Fields t = f.object("tls").only("client_certificate", "client_key", "ca_certificates");
        String cert = t.string("client_certificate", null, 65_536);
        String key = t.string("client_key", null, 65_536);
        String cas = t.string("ca_certificates", null, 262_144);
        if ((cert == null) != (key == null)) {
            throw new Invalid(cert == null ? "tls.client_certificate" : "tls.client_key",
                    "is required: client_certificate and client_key come together");
        }
        if (cert != null) {
            List<X509Certificate> chain = TlsMaterial.certificates("tls.client_certificate", cert);
            PrivateKey privateKey = TlsMaterial.privateKey("tls.client_key", key);
            TlsMaterial.checkPair("tls.client_key", chain.getFirst(), privateKey);
        }
        if (cas != null) {
            TlsMaterial.certificates("tls.ca_certificates", cas);
        }
        if (cert == null && cas == null) {
            throw new Invalid("tls", "must set client_certificate and client_key, or ca_certificates, or both");
        }
        return new TlsSettings(cert, key, cas);
    }
}
