package dev.herald.delivery;

import dev.herald.endpoint.EndpointSpec.TlsSettings;
import dev.herald.endpoint.TargetGuard;
import dev.herald.endpoint.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * One OkHttp client per TLS identity, all derived from one base client so they share the connection
 * pool and dispatcher. OkHttp keys pooled connections by their SSL socket factory too, so endpoints with
 * different client certificates never share a connection, while endpoints with the same identity do.
 *
 * <p>Every client: no redirects followed, no silent retries, TLS 1.2 or newer, names resolved through
 * the {@link TargetGuard} (so DNS rebinding to a private address is refused at delivery). With an
 * {@link EgressProxy}, targets it carries are reached through it (OkHttp then resolves only the proxy's name).
 */
final class HttpClients {
    /**
     * How long an idle pooled connection is kept: shorter than receivers commonly keep one open (Node's HTTP
     * server closes after 5 s), so Herald seldom picks a connection the other side has already closed.
     */
    static final Duration IDLE_KEEP_ALIVE = Duration.ofSeconds(4);
    /** Keeps no connection once its call ends: what a retry on a fresh connection goes through. */
    private static final ConnectionPool NO_POOL = new ConnectionPool(0, 1, TimeUnit.SECONDS);

    private final OkHttpClient base;
    private final ConcurrentHashMap<String, OkHttpClient> byIdentity = new ConcurrentHashMap<>();
    private final Map<OkHttpClient, OkHttpClient> fresh = Collections.synchronizedMap(new IdentityHashMap<>());

    /** What one call went through, as the {@link Tracing} listener saw it; attached to the request as a tag. */
    static final class ConnectionTrace {
        private volatile boolean acquired;
        private volatile boolean connected;
        private volatile boolean answered;

        /** The call took a pooled connection (it opened none) and failed before any answer's headers arrived. */
        boolean failedOnAReusedConnectionBeforeAnAnswer() {
            return acquired && !connected && !answered;
        }
    }

    /** Fills in each call's {@link ConnectionTrace}; runs on OkHttp's threads, so it only sets flags. */
    private static final class Tracing extends EventListener {
        private static ConnectionTrace trace(Call call) {
            return call.request().tag(ConnectionTrace.class);
        }

        @Override
        public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            ConnectionTrace t = trace(call);
            if (t != null) {
                t.connected = true;
            }
        }

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            ConnectionTrace t = trace(call);
            if (t != null) {
                t.acquired = true;
            }
        }

        @Override
        public void responseHeadersEnd(Call call, Response response) {
            ConnectionTrace t = trace(call);
            if (t != null) {
                t.answered = true;
            }
        }
    }

    HttpClients(TargetGuard guard, Optional<EgressProxy> proxy) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))
                .connectionPool(new ConnectionPool(256, IDLE_KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS))
                .eventListener(new Tracing())
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .dns(guard::resolve)
                .socketFactory(new NoDelaySocketFactory());
        proxy.ifPresent(p -> builder.proxySelector(p)
                .proxyAuthenticator(p.authenticator())
                .addNetworkInterceptor(p.plainHttpCredentials()));
        this.base = builder.build();
    }

    OkHttpClient forTls(TlsSettings tls) {
        if (tls == null) {
            return base;
        }
        return byIdentity.computeIfAbsent(identity(tls), k -> withTls(tls));
    }

    /** The same client (TLS identity, guard, timeouts) without a connection pool: every call opens a connection. */
    OkHttpClient fresh(OkHttpClient client) {
        return fresh.computeIfAbsent(client, c -> c.newBuilder().connectionPool(NO_POOL).build());
    }

    void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }

    private OkHttpClient withTls(TlsSettings tls) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            X509TrustManager trust = (X509TrustManager) defaults.getTrustManagers()[0];
            if (tls.caCertificates() != null) {
                KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                anchors.load(null, null);
                int i = 0;
                for (X509Certificate ca : trust.getAcceptedIssuers()) {
                    anchors.setCertificateEntry("default-" + i++, ca);
                }
                for (X509Certificate ca : TlsMaterial.certificates("tls.ca_certificates", tls.caCertificates())) {
                    anchors.setCertificateEntry("extra-" + i++, ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(anchors);
                trust = (X509TrustManager) tmf.getTrustManagers()[0];
            }
            KeyManagerFactory kmf = null;
            if (tls.clientCertificate() != null) {
                List<X509Certificate> chain = TlsMaterial.certificates("tls.client_certificate", tls.clientCertificate());
                PrivateKey key = TlsMaterial.privateKey("tls.client_key", tls.clientKey());
                KeyStore identity = KeyStore.getInstance("PKCS12");
                identity.load(null, null);
                char[] password = new char[0];
                identity.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(identity, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {trust}, null);
            return base.newBuilder().sslSocketFactory(context.getSocketFactory(), trust).build();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the TLS context of an endpoint whose material was validated;"
                    + " should never happen: " + e.getMessage(), e);
        }
    }

    private static String identity(TlsSettings tls) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {tls.clientCertificate(), tls.clientKey(), tls.caCertificates()}) {
                d.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
