package dev.herald.portal;

import static dev.herald.testing.Browser.byLabel;
import static dev.herald.testing.Browser.byText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Browser;
import dev.herald.testing.LoopbackReceiver;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;

/** The operator console in a real browser against a real Herald: what an operator does with the admin token. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    private static TestHerald h;
    private static Browser browser;
    private static LoopbackReceiver receiver;

    @BeforeAll
    static void start() {
        browser = Browser.start();
        h = TestHerald.builder().set("HERALD_PORTAL_TITLE", "Herald").start();
        receiver = new LoopbackReceiver();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (h != null) {
            h.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @AfterEach
    void noScriptBroke(TestInfo test) {
        browser.screenshot("last-" + test.getTestMethod().orElseThrow().getName());
        browser.assertNoScriptErrors();
    }

    static void signIn() {
        browser.open(h.baseUrl() + "/console");
        if (!browser.all(byLabel("Admin token")).isEmpty()) {
            browser.type(byLabel("Admin token"), TestHerald.ADMIN);
            browser.clickText("Sign in");
        }
        browser.find(By.cssSelector("nav .nav-link"));
    }

    @Test
    @Order(1)
    void theConsoleRefusesATenantKeyAndTakesTheAdminToken() {
        h.seed("keyholder");
        String key = h.post("/v1/tenants/keyholder/keys", null).json().get("key").stringValue();
        browser.open(h.baseUrl() + "/console");
        browser.type(byLabel("Admin token"), key);
        browser.clickText("Sign in");
        browser.waitForText(By.cssSelector(".field-error"), "belongs to a tenant");
        browser.screenshots("console-sign-in");
        browser.type(byLabel("Admin token"), TestHerald.ADMIN);
        browser.clickText("Sign in");
        browser.waitForText("Tenants");
        browser.find(By.xpath("//a[normalize-space(.)='keyholder']"));
    }

    @Test
    @Order(2)
    void anOperatorCreatesATenantIssuesAndRevokesAKeyMintsALinkAndRenamesIt() {
        signIn();
        // keyboard: the dialog takes the focus, Escape closes it and gives the focus back to its opener
        browser.clickText("New tenant");
        browser.find(By.cssSelector("dialog[open]"));
        assertThat(browser.js("return document.activeElement.closest('dialog') !== null && document.activeElement.id"))
                .isEqualTo(browser.find(byLabel("Id")).getAttribute("id"));
        browser.driver().switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ESCAPE);
        browser.waitGone(By.cssSelector("dialog"));
        assertThat(browser.js("return document.activeElement.textContent.trim()")).isEqualTo("New tenant");
        browser.driver().switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.find(By.cssSelector("dialog[open]"));
        browser.type(byLabel("Id"), "bad id!");
        browser.type(byLabel("Name"), "Initech");
        browser.clickText("Create tenant");
        browser.waitForText(By.cssSelector("dialog .field-error"), "letters, digits");
        browser.type(byLabel("Id"), "keyholder");
        browser.clickText("Create tenant");
        browser.waitForText(By.cssSelector("dialog .form-error"), "exists already");
        browser.type(byLabel("Id"), "initech");
        browser.clickText("Create tenant");
        browser.toast("Tenant Initech created");
        browser.waitForText("No keys");
        assertThat(h.get("/v1/tenants/initech").json().get("name").stringValue()).isEqualTo("Initech");

        browser.clickText("Issue key");
        String key = browser.find(By.cssSelector("dialog .new-key")).getText();
        assertThat(key).startsWith("hk_");
        assertThat(h.send("GET", "/v1/me", null, key).json().get("tenant_id").stringValue()).isEqualTo("initech");
        browser.clickText("Close");
        browser.waitGone(By.cssSelector("dialog"));
        browser.find(By.xpath("//button[starts-with(@aria-label, 'Revoke key')]")).click();
        browser.clickText("Revoke key");
        browser.toast("Key revoked");
        browser.waitForText("No keys");
        assertThat(h.send("GET", "/v1/me", null, key).status()).isEqualTo(401);

        browser.clickText("Mint portal link");
        browser.click(By.xpath("//label[contains(., 'Read-only')]"));
        browser.assertEveryControlLabelled();
        browser.clickText("Mint link");
        String url = browser.find(By.cssSelector("dialog .portal-url")).getText();
        assertThat(url).contains("/portal#token=hps_");
        String token = url.substring(url.indexOf("#token=") + 7);
        assertThat(h.send("GET", "/v1/me", null, token).json().get("read_only").booleanValue()).isTrue();
        browser.clickText("Done");
        browser.find(By.xpath("//button[starts-with(@aria-label, 'Revoke portal link')]"));

        browser.clickText("Rename");
        browser.type(byLabel("Name"), "Initech Corporation");
        browser.clickText("Save name");
        browser.toast("Tenant renamed");
        browser.find(By.xpath("//h1[normalize-space(.)='Initech Corporation']"));
        browser.screenshots("console-tenant");

        browser.find(By.xpath("//button[starts-with(@aria-label, 'Revoke portal link')]")).click();
        browser.clickText("Revoke link");
        browser.toast("Portal link revoked");
        browser.waitForText("No live portal links");
        assertThat(h.send("GET", "/v1/me", null, token).status()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void openThePortalAsTheTenant() {
        h.seed("hooli");
        signIn();
        browser.open(h.baseUrl() + "/console#/tenants/hooli");
        String console = browser.driver().getWindowHandle();
        browser.clickText("Open portal as this tenant");
        browser.waitFor(d -> d.getWindowHandles().size() == 2, Duration.ofSeconds(15));
        List<String> handles = new ArrayList<>(browser.driver().getWindowHandles());
        handles.remove(console);
        browser.driver().switchTo().window(handles.getFirst());
        try {
            browser.waitForText("No endpoints yet");
            assertThat(browser.bodyText()).contains("hooli");
            assertThat(browser.driver().getCurrentUrl()).contains("/portal").doesNotContain("token=");
            assertThat(browser.js("return window.opener")).as("the portal cannot reach back into the console").isNull();
        } finally {
            browser.driver().close();
            browser.driver().switchTo().window(console);
        }
        assertThat(h.get("/v1/tenants/hooli/portal-sessions").json().get("data")).hasSize(1);
    }

    @Test
    @Order(4)
    void theQueueShowsEachEndpointsBacklog() {
        h.seed("stalled", "order.created");
        var created = h.post("/v1/tenants/stalled/endpoints", "{\"url\": \"" + receiver.url("/stalled") + "\", \"format\": \"event\","
                + " \"status\": \"paused\"}");
        assertThat(created.status()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            h.post("/v1/tenants/stalled/events", "{\"type\": \"order.created\", \"data\": {\"n\": " + i + "}}");
        }
        browser.waitFor(d -> h.get("/v1/queue").json().get("due").intValue() == 3, Duration.ofSeconds(20));

        signIn();
        browser.clickText("Queue");
        browser.find(By.xpath("//td[@data-label='Tenant']/a[normalize-space(.)='stalled']"));
        assertThat(browser.find(By.xpath("//td[@data-label='Due']")).getText()).isEqualTo("3");
        assertThat(browser.bodyText()).contains(receiver.url("/stalled"), "paused");
        browser.screenshots("console-queue");
    }

    @Test
    @Order(5)
    void theCatalogueListsAndAddsEventTypes() {
        signIn();
        browser.clickText("Catalogue");
        browser.clickText("New event type");
        browser.type(byLabel("Name"), "invoice.paid");
        browser.type(byLabel("Description"), "An invoice was paid");
        browser.type(byLabel("JSON Schema (optional)"), "{not json");
        browser.clickText("Create event type");
        browser.waitForText(By.cssSelector("dialog .field-error"), "not valid JSON");
        browser.type(byLabel("JSON Schema (optional)"), "");
        browser.clickText("Create event type");
        browser.toast("invoice.paid added to the catalogue");
        browser.find(By.xpath("//h2[normalize-space(.)='invoice.paid']"));
        assertThat(h.get("/v1/event-types").text()).contains("An invoice was paid");
        browser.screenshots("console-catalogue");
    }

    @Test
    @Order(6)
    void whatATenantIsCalledIsShownAsText() {
        String name = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
        h.post("/v1/tenants", "{\"id\": \"evil\", \"name\": " + tools.jackson.databind.node.StringNode.valueOf(name) + "}");
        signIn();
        browser.clickText("Tenants");
        browser.waitForText(name);
        browser.click(byText(name));
        browser.find(By.xpath("//h1[normalize-space(.)=" + "'" + name.replace("'", "") + "']"));
        assertThat(browser.js("return window.__pwned")).isNull();
        assertThat(browser.all(By.cssSelector("main img, main script"))).isEmpty();
    }

    @Test
    @Order(7)
    void anOperatorEditsAnEventTypesSchemaAndSeesHeraldsAnswerByTheField() {
        assertThat(h.post("/v1/event-types", "{\"name\": \"shipment.sent\", \"description\": \"A parcel left the warehouse\"}").status())
                .isEqualTo(201);
        signIn();
        browser.clickText("Catalogue");
        browser.click(By.xpath("//button[@aria-label='Edit shipment.sent']"));
        browser.find(By.cssSelector("dialog[open]"));
        assertThat(browser.find(byLabel("Name")).isEnabled()).as("a type's name cannot change").isFalse();

        // not JSON Schema: Herald's 422 names a place inside the schema, shown under the schema
        browser.type(byLabel("JSON Schema (optional)"), "{\"type\": 12}");
        browser.clickText("Save changes");
        browser.waitForText(By.cssSelector("dialog [data-field=schema] ~ .field-error"), "schema");
        assertThat(browser.find(byLabel("JSON Schema (optional)")).getAttribute("aria-invalid")).isEqualTo("true");

        // an example the schema refuses: shown under the example, naming the place inside it
        browser.type(byLabel("JSON Schema (optional)"), "{\"type\": \"object\", \"required\": [\"weight\"],"
                + " \"properties\": {\"weight\": {\"type\": \"integer\"}}}");
        browser.type(byLabel("Example payload (optional)"), "{\"weight\": \"heavy\"}");
        browser.clickText("Save changes");
        browser.waitForText(By.cssSelector("dialog [data-field=example] ~ .field-error"), "example/weight");
        assertThat(browser.find(byLabel("Example payload (optional)")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find(byLabel("JSON Schema (optional)")).getAttribute("aria-invalid")).isNull();
        assertThat(h.get("/v1/event-types/shipment.sent").json().has("schema") && !h.get("/v1/event-types/shipment.sent").json().get("schema").isNull())
                .as("nothing saved while Herald refuses").isFalse();
        browser.assertEveryControlLabelled();
        browser.screenshots("console-event-type-edit");

        browser.type(byLabel("Example payload (optional)"), "{\"weight\": 3}");
        browser.clickText("Save changes");
        browser.toast("shipment.sent saved");
        browser.waitGone(By.cssSelector("dialog[open]"));
        var saved = h.get("/v1/event-types/shipment.sent").json();
        assertThat(saved.get("schema").get("required").get(0).stringValue()).isEqualTo("weight");
        assertThat(saved.get("example").get("weight").intValue()).isEqualTo(3);
        assertThat(publishStatus("{\"type\": \"shipment.sent\", \"data\": {\"weight\": \"heavy\"}}")).as("the schema now holds").isEqualTo(422);
        browser.click(By.xpath("//section[.//h2[normalize-space(.)='shipment.sent']]//summary[normalize-space(.)='JSON Schema']"));
        browser.waitForText("\"required\": [");
    }

    private static int publishStatus(String body) {
        h.seed("shipper");
        return h.post("/v1/tenants/shipper/events", body).status();
    }
}
