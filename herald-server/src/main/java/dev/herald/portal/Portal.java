package dev.herald.portal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The partner portal and the operator console: static pages and modules from the jar, read once at start.
 *
 * <p>Fingerprinting without a build step: every asset is served under one versioned directory,
 * {@code /portal/assets/<version>/<file>}, where the version is a hash of all assets together (the generated
 * theme included). Modules import each other by relative path ({@code ./api.js}), so imports stay plain and
 * always resolve inside the same version; a changed file changes the version, so a browser never mixes an old
 * module with a new one. Assets are cached for a year ({@code immutable}); the two pages that name the version
 * are {@code no-cache} and carry an ETag, so a browser revalidates them cheaply on every visit.
 */
public final class Portal {
    /** The files under {@code src/main/resources/portal/assets}, flat: modules import them as {@code ./name}. */
    static final List<String> ASSET_FILES = List.of(
            "app.css", "icon.svg",
            "api.js", "ui.js", "router.js", "chart.js", "session.js",
            "portal.js", "endpoints.js", "endpoint-form.js", "deliveries.js", "events.js", "catalogue.js",
            "console.js", "tenants.js", "event-types.js", "queue.js");
    static final String THEME = "theme.css";
    public static final String ASSETS_PREFIX = "/portal/assets/";
    private final String version;
    private final Map<String, Resource> assets;
    private final Map<String, Resource> pages;
    private final Map<String, String> headers;

    /**
     * @param title          the name shown in the header and the tab ({@code HERALD_PORTAL_TITLE})
     * @param accent         {@code #rgb} or {@code #rrggbb} ({@code HERALD_PORTAL_ACCENT}), validated by the config
     * @param frameAncestors CSP sources allowed to frame the pages ({@code HERALD_PORTAL_FRAME_ANCESTORS})
     */
    public Portal(String title, String accent, String frameAncestors) {
        Map<String, byte[]> files = new TreeMap<>();
        for (String name : ASSET_FILES) {
            files.put(name, Resource.read("portal/assets/" + name));
        }
        files.put(THEME, Theme.css(accent).getBytes(StandardCharsets.UTF_8));
        this.version = Resource.fingerprint(files);
        Map<String, Resource> a = new LinkedHashMap<>();
        files.forEach((name, bytes) -> a.put(name, Resource.asset(name, bytes)));
        this.assets = Map.copyOf(a);
        String etag = "\"" + Resource.fingerprint(Map.of("title", title.getBytes(StandardCharsets.UTF_8), "v", version.getBytes(StandardCharsets.UTF_8))) + "\"";
        this.pages = Map.of(
                "portal", page("portal", title, etag),
                "console", page("console", title, etag));
        this.headers = securityHeaders(frameAncestors);
    }

    /** The version directory the pages name: a hash of every asset. */
    public String version() {
        return version;
    }

    /** {@code portal} or {@code console}. */
    public Optional<Resource> page(String name) {
        return Optional.ofNullable(pages.get(name));
    }

    /** An asset of the current version; an asset of another version is not served (its content is gone). */
    public Optional<Resource> asset(String assetVersion, String file) {
        return version.equals(assetVersion) ? Optional.ofNullable(assets.get(file)) : Optional.empty();
    }

    /** The headers every portal response carries, whatever its status. */
    public Map<String, String> headers() {
        return headers;
    }

    static Map<String, String> securityHeaders(String frameAncestors) {
        // why: no 'unsafe-inline' anywhere: the pages hold no inline script or style, and whatever a receiver
        // wrote is rendered as text; a stray injection could neither run script nor restyle the page
        String csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self';"
                + " frame-ancestors " + frameAncestors + "; base-uri 'none'; form-action 'self'; object-src 'none'";
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", csp);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        return Map.copyOf(h);
    }

    private Resource page(String name, String title, String etag) {
        String html = new String(Resource.read("portal/" + name + ".html"), StandardCharsets.UTF_8)
                .replace("{{title}}", Html.escape(title))
                .replace("{{assets}}", ASSETS_PREFIX + version);
        return new Resource(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", Resource.NO_CACHE, etag);
    }
}
