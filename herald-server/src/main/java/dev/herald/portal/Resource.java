package dev.herald.portal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * One static answer served from the jar (a page of the portal or console, the API docs, or one of their assets):
 * its bytes, type, caching and, for those revalidated on every visit, its ETag. With what both the portal and the
 * API docs need to build them: reading from the jar, the fingerprint that versions an asset directory, and the
 * content type of an asset.
 */
public record Resource(byte[] body, String contentType, String cacheControl, String etag) {
    /** For files under a fingerprinted directory: a changed file is a new directory, never a stale cache. */
    public static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** For pages that name that directory: revalidated (cheaply, by ETag) on every visit. */
    public static final String NO_CACHE = "no-cache";

    /** An asset under a fingerprinted directory, typed by its name. */
    public static Resource asset(String name, byte[] body) {
        return new Resource(body, contentType(name), IMMUTABLE, null);
    }

    /** The first 12 hex digits of a SHA-256 over every file's name and bytes, in name order. */
    public static String fingerprint(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (var f : new TreeMap<>(files).entrySet()) {
                sha.update(f.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(f.getValue());
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK. Should never happen: every JDK has it.", e);
        }
    }

    /** A file of the jar (a class-path resource), whole. */
    public static byte[] read(String resource) {
        try (InputStream in = Resource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The resource " + resource + " is missing from the jar. Should never happen:"
                        + " the build packs src/main/resources and the webjars Herald depends on.");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (name.endsWith(".png")) {
            return "image/png";
        }
        throw new IllegalStateException("No content type for asset " + name + ". Should never happen: only .js, .css,"
                + " .svg and .png files are served as assets.");
    }
}
