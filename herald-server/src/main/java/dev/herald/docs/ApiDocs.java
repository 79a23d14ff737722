package dev.herald.docs;

import dev.herald.json.Json;
import dev.herald.portal.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API's own documentation: the OpenAPI 3.1 document ({@code /openapi.json}), written by hand in
 * {@code src/main/resources/openapi/openapi.yaml} and served as JSON, and the page that renders it ({@code /docs})
 * with Swagger UI from its webjar: no CDN, nothing fetched from elsewhere.
 *
 * <p>Read on first use, not at start: Swagger UI's bundle is 1.7 MB and the YAML parser's classes take a while to
 * load, and neither is needed to deliver webhooks. The tests read the document on every build
 * ({@code OpenApiRouteTableTest}, {@code OpenApiResponsesTest}), so a broken one never reaches a user.
 *
 * <p>Assets are fingerprinted as the portal's are ({@code /docs/assets/<version>/<file>}, cached for a year): the
 * version is a hash of every file served, so a new Swagger UI or initializer is a new directory.
 */
public final class ApiDocs {
    public static final String ASSETS_PREFIX = "/docs/assets/";
    static final String DOCUMENT = "openapi/openapi.yaml";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    /** Our own files, beside Swagger UI's: the initializer (the CSP allows no inline script) and a few styles. */
    private static final Map<String, String> OWN = Map.of("docs.js", "openapi/docs.js", "docs.css", "openapi/docs.css");
    /** The files of the webjar that the page loads. */
    private static final String[] SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"};
    private final JsonNode document;
    private final Resource json;
    private final Resource page;
    private final String version;
    private final Map<String, Resource> assets;

    private ApiDocs() {
        this.document = readDocument();
        byte[] bytes = Json.bytes(document);
        this.json = new Resource(bytes, "application/json", Resource.NO_CACHE, etag(Map.of("openapi.json", bytes)));
        Map<String, byte[]> files = new TreeMap<>();
        String swagger = WEBJAR + swaggerVersion() + "/";
        for (String name : SWAGGER_FILES) {
            files.put(name, Resource.read(swagger + name));
        }
        OWN.forEach((name, resource) -> files.put(name, Resource.read(resource)));
        this.version = Resource.fingerprint(files);
        Map<String, Resource> a = new LinkedHashMap<>();
        files.forEach((name, b) -> a.put(name, Resource.asset(name, b)));
        this.assets = Map.copyOf(a);
        byte[] html = new String(Resource.read("openapi/docs.html"), StandardCharsets.UTF_8)
                .replace("{{assets}}", ASSETS_PREFIX + version).getBytes(StandardCharsets.UTF_8);
        this.page = new Resource(html, "text/html; charset=utf-8", Resource.NO_CACHE, etag(Map.of("docs.html", html)));
    }

    private static final class Holder {
        static final ApiDocs INSTANCE = new ApiDocs();
    }

    /** The documentation, read from the jar the first time it is asked for. */
    public static ApiDocs get() {
        return Holder.INSTANCE;
    }

    /** The OpenAPI document as a tree (what the tests walk). */
    public JsonNode document() {
        return document;
    }

    /** {@code /openapi.json}. */
    public Resource json() {
        return json;
    }

    /** {@code /docs}. */
    public Resource page() {
        return page;
    }

    /** The version directory the page names. */
    public String version() {
        return version;
    }

    /** A file of the current version; another version's files are not served (their content is gone). */
    public Optional<Resource> asset(String assetVersion, String file) {
        return version.equals(assetVersion) ? Optional.ofNullable(assets.get(file)) : Optional.empty();
    }

    /** Parses the YAML document; a mistake in it is a bug of the build, named with its place. */
    static JsonNode readDocument() {
        byte[] yaml = Resource.read(DOCUMENT);
        try {
            return YAMLMapper.builder().build().readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalStateException("The OpenAPI document " + DOCUMENT + " is not valid YAML: " + e.getOriginalMessage()
                    + ". Should never happen: OpenApiRouteTableTest reads it on every build.", e);
        }
    }

    private static String swaggerVersion() {
        Properties p = new Properties();
        try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException("Swagger UI's webjar (" + WEBJAR_POM + ") is missing from the class path."
                        + " Should never happen: herald-server depends on org.webjars:swagger-ui.");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static String etag(Map<String, byte[]> files) {
        return "\"" + Resource.fingerprint(files) + "\"";
    }
}
