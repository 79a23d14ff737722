package dev.herald.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Browser;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * {@code /docs}: Swagger UI from the jar renders {@code /openapi.json} under the portal's strict Content-Security-Policy
 * (no inline script or style), in a real browser, loading nothing from anywhere but this Herald.
 */
class DocsPageTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static TestHerald.Response get(String path) {
        return h.send("GET", path, null, null);
    }

    private static void assertStrictPolicy(TestHerald.Response r) {
        assertThat(r.header("Content-Security-Policy")).as("CSP of %s", r.raw().uri())
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    private static String assets(String html) {
        Matcher m = Pattern.compile("/docs/assets/([0-9a-f]{12})/docs\\.js").matcher(html);
        assertThat(m.find()).as("the page names its versioned initializer").isTrue();
        return "/docs/assets/" + m.group(1) + "/";
    }

    @Test
    void thePageHasNoInlineScriptAndItsAssetsComeFromTheJarForAYear() {
        var page = get("/docs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
        assertStrictPolicy(page);
        assertThat(page.text().replaceAll("<script src=\"/docs/assets/[0-9a-f]{12}/[a-z-]+\\.js\" defer></script>", ""))
                .as("no inline script, no script from elsewhere").doesNotContain("<script")
                .doesNotContain("style=", "<style", "http://", "https://");
        String dir = assets(page.text());
        for (String file : List.of("docs.js", "docs.css", "swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")) {
            var r = get(dir + file);
            assertThat(r.status()).as(file).isEqualTo(200);
            assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            assertStrictPolicy(r);
        }
        assertThat(get(dir + "docs.js").text()).contains("validatorUrl: null", "\"/openapi.json\"");
        var missing = get(dir + "swagger-initializer.js");
        assertThat(missing.status()).isEqualTo(404);
        assertStrictPolicy(missing);
        assertThat(get("/docs/assets/000000000000/docs.js").json().get("detail").stringValue()).contains("reload");
    }

    @Test
    void theDocumentIsPublicJsonAndRevalidatedByItsETag() {
        var r = get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().get("openapi").stringValue()).isEqualTo("3.1.0");
        assertThat(r.json().get("paths").has("/v1/tenants/{tenant}/endpoints")).isTrue();
        var again = h.sendWith("GET", "/openapi.json", java.util.Map.of("If-None-Match", r.header("ETag")));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.text()).isEmpty();
    }

    @Test
    void swaggerUiRendersTheDocumentUnderThePolicyWithoutLoadingAnythingFromElsewhere() {
        try (Browser b = Browser.start()) {
            b.open(h.baseUrl() + "/docs");
            b.waitForText("Herald API");
            b.find(By.cssSelector(".opblock-summary-path[data-path='/v1/tenants/{tenant}/endpoints']"));
            b.click(By.cssSelector("#operations-Endpoints-createEndpoint .opblock-summary-control"));
            b.waitForText("The answer carries the signing key once");
            b.waitForText("Request body");
            assertThat(b.all(By.cssSelector(".opblock")).size()).as("operations shown").isGreaterThan(40);
            b.screenshot("docs");
            b.assertNoScriptErrors();
            @SuppressWarnings("unchecked")
            List<String> loaded = (List<String>) b.js("return performance.getEntriesByType('resource').map(e => e.name)");
            assertThat(loaded).as("what the page loaded").isNotEmpty()
                    .allSatisfy(url -> assertThat(url).startsWith(h.baseUrl() + "/"));
        }
    }
}
