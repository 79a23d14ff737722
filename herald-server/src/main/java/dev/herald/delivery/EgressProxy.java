package dev.herald.delivery;

import dev.herald.endpoint.TargetGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import okhttp3.Authenticator;
import okhttp3.Credentials;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * The operator's HTTP proxy for deliveries ({@code HERALD_PROXY_URL}), and the hosts reached without it
 * ({@code HERALD_NO_PROXY}): an https target is reached through a CONNECT tunnel, an http one by sending the request
 * in absolute form to the proxy. The proxy's credentials answer its 407 (and OkHttp's preemptive challenge before a
 * CONNECT); they are never logged nor put in an error: the proxy is named by its host and port only.
 *
 * <p>The private-target guard still judges the final target. OkHttp resolves only the proxy's name when it goes
 * through one, so the {@link Sender} resolves a proxied target's name through the guard itself before asking the
 * proxy; the proxy's own address may be private (it is the operator's), so it is resolved here, not by the guard.
 */
final class EgressProxy extends ProxySelector {
    private final String host;
    private final int port;
    /** {@code Basic …} from the URL's user-info, or null when the proxy needs none. */
    private final String credential;
    private final List<Rule> noProxy;
    private final String name;

    /** One {@code HERALD_NO_PROXY} entry: {@code *}, an exact host, a {@code .domain} suffix, an IP or a CIDR block. */
    private record Rule(String host, String suffix, byte[] prefix, int bits, boolean all) {
        static Rule of(String entry) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.equals("*")) {
                return new Rule(null, null, null, 0, true);
            }
            if (e.startsWith(".")) {
                return new Rule(null, e, null, 0, false);
            }
            int slash = e.indexOf('/');
            String address = slash < 0 ? e : e.substring(0, slash);
            byte[] literal = literal(address);
            if (literal != null) {
                int bits = slash < 0 ? literal.length * 8 : Integer.parseInt(e.substring(slash + 1));
                if (bits > literal.length * 8) {
                    throw new IllegalArgumentException("the block " + entry + " has more bits than its address");
                }
                return new Rule(null, null, literal, bits, false);
            }
            if (slash >= 0) {
                throw new IllegalArgumentException(entry + " is not an IP block: only an address can carry a /prefix");
            }
            return new Rule(e, null, null, 0, false);
        }

        boolean matches(String target, byte[] targetLiteral) {
            if (all) {
                return true;
            }
            if (prefix != null) {
                return targetLiteral != null && TargetGuard.inBlock(targetLiteral, prefix, bits);
            }
            if (suffix != null) {
                // why: ".example.com" covers the domain itself and every name under it, as curl and Go read it
                return target.endsWith(suffix) || target.equals(suffix.substring(1));
            }
            return target.equals(host);
        }
    }

    private EgressProxy(String host, int port, String credential, List<Rule> noProxy) {
        this.host = host;
        this.port = port;
        this.credential = credential;
        this.noProxy = noProxy;
        this.name = "proxy " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The proxy {@code url} names (validated by the configuration: http or https, a host, maybe credentials), or
     * empty when none is set.
     */
    static Optional<EgressProxy> of(Optional<String> url, List<String> noProxy) {
        if (url.isEmpty()) {
            return Optional.empty();
        }
        URI uri = URI.create(url.get());
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String credential = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            String user = decode(colon < 0 ? info : info.substring(0, colon));
            String password = colon < 0 ? "" : decode(info.substring(colon + 1));
            credential = Credentials.basic(user, password, StandardCharsets.UTF_8);
        }
        List<Rule> rules = new ArrayList<>();
        for (String entry : noProxy) {
            rules.add(Rule.of(entry));
        }
        return Optional.of(new EgressProxy(host, port, credential, List.copyOf(rules)));
    }

    /** How errors name the proxy: its host and port, never its credentials. */
    String name() {
        return name;
    }

    /** Whether a request to {@code targetHost} goes through the proxy (it is not one of {@code HERALD_NO_PROXY}). */
    boolean carries(String targetHost) {
        String h = targetHost.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        byte[] literal = literal(h);
        for (Rule r : noProxy) {
            if (r.matches(h, literal)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (uri.getHost() == null || !carries(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        // why: resolved here (by the JVM's cache, 30 s), not through the guard: the proxy may sit on a private
        // address, and an address OkHttp is handed is never looked up again through its Dns
        return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(host, port)));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // why: one proxy, nothing to fall back to; the attempt's error says what failed
    }

    /**
     * Answers the proxy's 407 (and OkHttp's preemptive challenge before a CONNECT) with the credentials, once: a
     * request that already carried them and was refused again is not repeated.
     */
    Authenticator authenticator() {
        return (Route route, Response response) -> {
            if (credential == null || response.request().header("Proxy-Authorization") != null) {
                return null;
            }
            return response.request().newBuilder().header("Proxy-Authorization", credential).build();
        };
    }

    /**
     * Adds the credentials to a plain http request sent in absolute form through the proxy, so it is not first
     * refused with a 407 (a CONNECT gets them from {@link #authenticator()} before the tunnel opens).
     */
    Interceptor plainHttpCredentials() {
        return chain -> {
            Request r = chain.request();
            if (credential != null && !r.isHttps() && chain.connection() != null
                    && chain.connection().route().proxy().type() == Proxy.Type.HTTP) {
                r = r.newBuilder().header("Proxy-Authorization", credential).build();
            }
            return chain.proceed(r);
        };
    }

    /**
     * What a failure through the proxy means, naming the proxy without its credentials; null when {@code message}
     * is not one of OkHttp's proxy failures.
     */
    String describe(String message) {
        if (message == null) {
            return null;
        }
        if (message.startsWith("Unexpected response code for CONNECT: ")) {
            return name + " refused CONNECT: " + message.substring("Unexpected response code for CONNECT: ".length());
        }
        if (message.startsWith("Failed to authenticate with proxy")) {
            return refusedCredentials();
        }
        if (message.contains(host + ":" + port) || message.contains("/" + host + ":" + port)) {
            return name + ": " + message;
        }
        return null;
    }

    String refusedCredentials() {
        return name + " refused " + (credential == null ? "to carry the request without credentials" : "its credentials")
                + " (407 Proxy Authentication Required); check the user and password in HERALD_PROXY_URL";
    }

    /** Percent-decoding of a URL's user-info part; a '+' there is a plus, not a space. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The address bytes of an IP literal, or null for a name (no lookup is ever made). */
    private static byte[] literal(String host) {
        boolean v4 = !host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        boolean v6 = host.indexOf(':') >= 0 && host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
