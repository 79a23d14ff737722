package dev.herald.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the portal and console are served, over plain HTTP: security headers on every answer, fingerprinted
 * assets cached for a year, pages revalidated, branding from the configuration and never as markup.
 */
class PortalServingTest {
    private static final String TITLE = "Acme <Hooks> & \"Co\"";
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.builder()
                .set("HERALD_PORTAL_TITLE", TITLE)
                .set("HERALD_PORTAL_ACCENT", "#0a7")
                .set("HERALD_PORTAL_FRAME_ANCESTORS", "'self' https://platform.example")
                .start();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static TestHerald.Response get(String path) {
        return h.send("GET", path, null, null);
    }

    private static void assertSecurityHeaders(TestHerald.Response r) {
        String csp = r.header("Content-Security-Policy");
        assertThat(csp).as("CSP").isNotNull()
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
                        "frame-ancestors 'self' https://platform.example;", "base-uri 'none'", "form-action 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    private static String assets(String html) {
        Matcher m = Pattern.compile("/portal/assets/([0-9a-f]{12})/app\\.css").matcher(html);
        assertThat(m.find()).as("the page names its versioned stylesheet").isTrue();
        return "/portal/assets/" + m.group(1) + "/";
    }

    @Test
    void thePagesAreNoCacheWithSecurityHeadersAndTheEscapedTitle() {
        for (String page : new String[] {"/portal", "/console"}) {
            var r = get(page);
            assertThat(r.status()).as(page).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/html");
            assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(r.header("ETag")).isNotBlank();
            assertSecurityHeaders(r);
            assertThat(r.text()).contains("<title>Acme &lt;Hooks&gt; &amp; &quot;Co&quot;</title>")
                    .doesNotContain(TITLE)
                    .doesNotContain("style=", "<style", "onload=", "onclick=")
                    .contains("type=\"module\"");
            assertThat(r.text().replaceAll("<script type=\"module\" src=\"[^\"]+\"></script>", ""))
                    .as("no inline script").doesNotContain("<script");

            var again = h.sendWith("GET", page, java.util.Map.of("If-None-Match", r.header("ETag")));
            assertThat(again.status()).as("revalidation of an unchanged page").isEqualTo(304);
            assertSecurityHeaders(again);
        }
        assertThat(get("/portal").text()).contains("/portal.js\"");
        assertThat(get("/console").text()).contains("/console.js\"");
    }

    @Test
    void assetsAreServedUnderTheirVersionForAYear() {
        String dir = assets(get("/portal").text());
        assertThat(assets(get("/console").text())).as("both pages share one version").isEqualTo(dir);
        for (String file : Portal.ASSET_FILES) {
            var r = get(dir + file);
            assertThat(r.status()).as(file).isEqualTo(200);
            assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            assertSecurityHeaders(r);
            assertThat(r.text()).as("no asset writes markup from strings").doesNotContain("innerHTML", "outerHTML",
                    "insertAdjacentHTML", "document.write", "eval(", "new Function");
        }
        assertThat(get(dir + "portal.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(get(dir + "app.css").header("Content-Type")).startsWith("text/css");
    }

    @Test
    void theAccentIsAGeneratedStylesheetAndPartOfTheVersion() {
        String dir = assets(get("/portal").text());
        var theme = get(dir + "theme.css");
        assertThat(theme.status()).isEqualTo(200);
        assertThat(theme.text()).contains("--accent: #00aa77;", "--accent-rgb: 0, 170, 119;");

        try (TestHerald other = TestHerald.builder().set("HERALD_PORTAL_ACCENT", "#7c3aed").start()) {
            String otherDir = assets(other.send("GET", "/portal", null, null).text());
            assertThat(otherDir).as("another accent is another version, so no browser keeps the old theme").isNotEqualTo(dir);
            assertThat(other.send("GET", otherDir + "theme.css", null, null).text()).contains("--accent: #7c3aed;", "--accent-ink: #ffffff;");
        }
    }

    @Test
    void anUnknownAssetOrAnOldVersionIs404WithTheHeaders() {
        String dir = assets(get("/portal").text());
        var missing = get(dir + "nope.js");
        assertThat(missing.status()).isEqualTo(404);
        assertSecurityHeaders(missing);
        var old = get("/portal/assets/000000000000/app.css");
        assertThat(old.status()).isEqualTo(404);
        assertThat(old.json().get("detail").stringValue()).contains("reload");
        assertThat(get(dir + "..%2Fportal.html").status()).isEqualTo(404);
    }

    @Test
    void theDefaultFrameAncestorsAreSelf() {
        try (TestHerald plain = TestHerald.sqlite()) {
            assertThat(plain.send("GET", "/portal", null, null).header("Content-Security-Policy")).contains("frame-ancestors 'self';");
        }
    }
}
