package dev.herald.portal;

import static dev.herald.testing.Browser.byLabel;
import static dev.herald.testing.Browser.byText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Browser;
import dev.herald.testing.LoopbackReceiver;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;

/**
 * The partner portal in a real browser against a real Herald and a loopback receiver: what a partner does
 * after opening the link their platform gave them. One browser for the class; each test has its own tenant.
 */
class PortalBrowserTest {
    private static TestHerald h;
    private static Browser browser;
    private static LoopbackReceiver receiver;

    @BeforeAll
    static void start() {
        browser = Browser.start();
        h = TestHerald.builder().set("HERALD_PORTAL_TITLE", "Acme Webhooks").start();
        receiver = new LoopbackReceiver();
        h.post("/v1/event-types", "{\"name\":\"order.created\",\"description\":\"A customer placed an order\"}");
        h.post("/v1/event-types", "{\"name\":\"order.paid\",\"description\":\"An order was paid in full\"}");
        h.post("/v1/event-types", "{\"name\":\"invoice.issued\",\"description\":\"An invoice was sent to the customer\"}");
        var refunded = h.post("/v1/event-types", "{\"name\":\"order.refunded\",\"description\":\"An order was refunded\","
                + " \"schema\": {\"type\": \"object\", \"required\": [\"order\", \"amount\"],"
                + " \"properties\": {\"order\": {\"type\": \"integer\"}, \"amount\": {\"type\": \"integer\"}}},"
                + " \"example\": {\"order\": 7, \"amount\": 1200}}");
        assertThat(refunded.status()).as(refunded.text()).isEqualTo(201);
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
    void noScriptBrokeAndSignOut(org.junit.jupiter.api.TestInfo test) {
        browser.screenshot("last-" + test.getTestMethod().orElseThrow().getName());
        browser.assertNoScriptErrors();
        browser.clearSession();
    }

    static String session(String tenant, boolean readOnly) {
        var minted = h.post("/v1/tenants/" + tenant + "/portal-sessions", "{\"read_only\": " + readOnly + "}");
        assertThat(minted.status()).isEqualTo(201);
        return minted.json().get("token").stringValue();
    }

    static void openPortal(String token) {
        browser.open(h.baseUrl() + "/portal#token=" + token);
    }

    static JsonNode endpoints(String tenant) {
        return h.get("/v1/tenants/" + tenant + "/endpoints").json().get("data");
    }

    @Test
    void aPartnerRegistersABatchEndpointSeesItsDeliveriesPausesResumesAndRotatesTheSecret() {
        h.seed("acme");
        receiver.answer("/acme", 200, "{\"received\": true}");
        openPortal(session("acme", false));

        browser.waitForText("No endpoints yet");
        assertThat(browser.driver().getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
        assertThat(browser.js("return sessionStorage.getItem('herald.portal.token')")).asString().startsWith("hps_");
        assertThat(browser.driver().getTitle()).isEqualTo("Acme Webhooks");
        browser.screenshots("portal-empty");

        browser.clickText("Add your first endpoint");
        browser.type(byLabel("URL"), "ftp://files.example/hooks");
        browser.type(byLabel("Description (optional)"), "Order sync");
        browser.click(By.xpath("//label[contains(., 'Only the types I choose')]"));
        browser.click(By.xpath("//label[.//code[text()='order.created']]"));
        browser.click(By.xpath("//label[.//code[text()='invoice.issued']]"));
        browser.type(byLabel("Events per batch"), "50");
        browser.type(byLabel("Time window (seconds)"), "5");
        browser.waitForText("50 events have collected, or 5 s have passed since the last batch");
        browser.clickText("Add header");
        browser.click(By.xpath("//label[contains(., 'Present a client certificate')]"));
        browser.assertEveryControlLabelled();
        browser.click(By.xpath("//label[contains(., 'Present a client certificate')]"));
        browser.clickText("Remove");
        browser.clickText("Create endpoint");

        // Herald's answer names the field; the page shows it beside that field
        browser.waitForText(By.cssSelector(".field-error"), "http");
        assertThat(browser.find(byLabel("URL")).getAttribute("aria-invalid")).isEqualTo("true");
        browser.type(byLabel("URL"), receiver.url("/acme"));
        browser.screenshots("portal-endpoint-form");
        browser.clickText("Create endpoint");

        browser.waitForText("Endpoint created");
        String secret = browser.find(By.cssSelector(".alert-ok .secret")).getText();
        assertThat(secret).startsWith("whsec_");
        JsonNode e = endpoints("acme").get(0);
        assertThat(e.get("url").stringValue()).isEqualTo(receiver.url("/acme"));
        assertThat(e.get("batch").get("max_events").intValue()).isEqualTo(50);
        assertThat(e.get("batch").get("window_ms").intValue()).isEqualTo(5000);
        assertThat(e.get("event_types").valueStream().map(JsonNode::stringValue)).containsExactlyInAnyOrder("order.created", "invoice.issued");
        String id = e.get("id").stringValue();

        // events published by the platform arrive as one batch; the partner sees it delivered with the answer
        h.post("/v1/tenants/acme/events/bulk", "{\"events\": [{\"type\":\"order.created\",\"data\":{\"order\":1}},"
                + " {\"type\":\"invoice.issued\",\"data\":{\"invoice\":7}}, {\"type\":\"order.paid\",\"data\":{}}]}");
        browser.waitFor(d -> deliveries("acme", "delivered").size() == 1, Duration.ofSeconds(20));
        assertThat(receiver.received("/acme")).hasSize(1);
        assertThat(receiver.received("/acme").getFirst().body()).contains("\"count\":2");
        browser.clickText("Deliveries");
        browser.find(By.cssSelector("table .badge-ok"));
        browser.assertEveryControlLabelled();
        browser.click(By.cssSelector("table td.col-main a"));
        browser.waitForText("{\"received\": true}");
        browser.waitForText("\"count\": 2");
        assertThat(browser.bodyText()).contains("X-Webhook-Event", "batch");
        browser.screenshots("portal-delivery");

        browser.open(h.baseUrl() + "/portal#/endpoints/" + id);
        browser.find(byText("Pause")).click();
        browser.find(By.cssSelector("dialog[open]"));
        assertThat(browser.bodyText()).contains("nothing is lost");
        browser.clickText("Pause endpoint");
        browser.toast("Endpoint paused");
        browser.waitForText("Deliveries are paused");
        assertThat(endpoints("acme").get(0).get("status").stringValue()).isEqualTo("paused");
        browser.clickText("Resume");
        browser.toast("Endpoint resumed");
        browser.find(byText("Pause"));
        assertThat(endpoints("acme").get(0).get("status").stringValue()).isEqualTo("active");

        browser.clickText("Rotate");
        browser.waitForText("for 24 hours");
        browser.clickText("Rotate secret");
        browser.toast("Secret rotated");
        browser.waitFor(d -> browser.find(By.cssSelector(".card .secret")).getText().startsWith("whsec_"), Duration.ofSeconds(10));
        String rotated = browser.find(By.cssSelector(".card .secret")).getText();
        assertThat(rotated).isNotEqualTo(secret);
        assertThat(browser.bodyText()).contains("The previous secret also signs until");
        browser.open(h.baseUrl() + "/portal#/endpoints");
        browser.open(h.baseUrl() + "/portal#/endpoints/" + id);
        browser.clickText("Reveal");
        browser.find(By.cssSelector(".previous-secret"));
        assertThat(browser.find(By.cssSelector(".card .secret")).getText()).as("the current secret").isEqualTo(rotated);
        assertThat(browser.find(By.cssSelector(".previous-secret")).getText()).as("the previous one, still signing").isEqualTo(secret);
        browser.screenshots("portal-endpoint");
    }

    /** An endpoint that sends one event per request and gives up after the first failed attempt. */
    static String eventEndpoint(String tenant, String path, String description) {
        var created = h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\": \"" + receiver.url(path) + "\", \"format\": \"event\","
                + " \"description\": " + tools.jackson.databind.node.StringNode.valueOf(description) + ","
                + " \"retry\": {\"policy\": \"exponential\", \"max_attempts\": 1}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").stringValue();
    }

    static void publish(String tenant, String type, String data) {
        assertThat(h.post("/v1/tenants/" + tenant + "/events", "{\"type\": \"" + type + "\", \"data\": " + data + "}").status()).isEqualTo(202);
    }

    static JsonNode deliveries(String tenant, String status) {
        return h.get("/v1/tenants/" + tenant + "/deliveries?status=" + status).json().get("data");
    }

    @Test
    void aFailedDeliveryIsShownWithTheReceiversAnswerAndRetriedByHand() {
        h.seed("globex");
        receiver.answer("/globex", 500, "database is down, try later");
        eventEndpoint("globex", "/globex", "Billing");
        publish("globex", "order.paid", "{\"order\": 42}");
        browser.waitFor(d -> deliveries("globex", "failed").size() == 1, Duration.ofSeconds(20));

        openPortal(session("globex", false));
        browser.clickText("Deliveries");
        browser.find(By.xpath("//select[@name='status']/option[@value='failed']")).click();
        browser.find(By.cssSelector("table .badge-bad"));
        browser.click(By.cssSelector("table td.col-main a"));
        browser.waitForText("Not delivered");
        browser.waitForText("database is down, try later");
        assertThat(browser.bodyText()).contains("500", "\"order\": 42");

        receiver.answer("/globex", 200, "thanks");
        browser.clickText("Retry delivery");
        browser.clickText("Retry");
        browser.toast("Delivery queued again");
        browser.waitFor(d -> deliveries("globex", "delivered").size() == 1, Duration.ofSeconds(20));
        browser.waitFor(d -> {
            if (!browser.all(byText("Refresh")).isEmpty()) {
                browser.clickText("Refresh");
            }
            return browser.bodyText().contains("thanks") && !browser.all(By.cssSelector(".page-head .badge-ok")).isEmpty();
        }, Duration.ofSeconds(20));
        assertThat(receiver.received("/globex")).hasSize(2);
        assertThat(receiver.received("/globex").get(1).header("X-Webhook-Delivery"))
                .as("the same delivery, sent again").isEqualTo(receiver.received("/globex").get(0).header("X-Webhook-Delivery"));
        browser.screenshots("portal-delivery-retried");
    }

    @Test
    void aReadOnlySessionSeesEverythingButCannotChangeAnything() {
        h.seed("initech");
        String id = eventEndpoint("initech", "/initech", "Reports");
        openPortal(session("initech", true));

        browser.find(By.cssSelector("table td.col-main a"));
        assertThat(browser.bodyText()).contains("read-only", "Reports");
        assertThat(browser.all(byText("Add endpoint"))).isEmpty();
        browser.click(By.cssSelector("table td.col-main a"));
        browser.waitForText("Settings");
        browser.waitForText("A read-only session cannot reveal or rotate the secret.");
        for (String action : new String[] {"Pause", "Edit", "Delete", "Send test event", "Reveal", "Rotate", "Recover"}) {
            assertThat(browser.all(byText(action))).as(action).isEmpty();
        }
        browser.open(h.baseUrl() + "/portal#/endpoints/" + id + "/edit");
        browser.waitForText("read-only session");
        assertThat(browser.all(By.cssSelector("form.endpoint-form"))).isEmpty();
        browser.screenshots("portal-read-only");
    }

    @Test
    void aRevokedLinkLandsOnTheExpiredPageAndATenantKeyStillSignsIn() {
        h.seed("umbrella");
        var minted = h.post("/v1/tenants/umbrella/portal-sessions", "{}").json();
        openPortal(minted.get("token").stringValue());
        browser.waitForText("No endpoints yet");

        assertThat(h.delete("/v1/tenants/umbrella/portal-sessions/" + minted.get("id").stringValue()).status()).isEqualTo(204);
        browser.clickText("Deliveries");
        browser.waitForText("This link has expired or was revoked");
        assertThat(browser.js("return sessionStorage.getItem('herald.portal.token')")).isNull();
        browser.screenshots("portal-expired");

        // the same page for a link opened after it was revoked
        openPortal(minted.get("token").stringValue());
        browser.waitForText("This link has expired or was revoked");

        String key = h.post("/v1/tenants/umbrella/keys", null).json().get("key").stringValue();
        browser.clickText("Use a tenant key instead");
        browser.type(byLabel("Tenant key or portal token"), "hk_not-a-key");
        browser.clickText("Sign in");
        browser.waitForText(By.cssSelector(".field-error"), "does not know this key");
        browser.type(byLabel("Tenant key or portal token"), key);
        browser.clickText("Sign in");
        browser.waitForText("No endpoints yet");
        assertThat(browser.bodyText()).contains("umbrella");
    }

    @Test
    void whatReceiversAndPartnersWriteIsShownAsTextAndNeverRuns() {
        h.seed("hostile");
        String payload = "<img src=x onerror=\"window.__pwned='img'\"><script>window.__pwned='script'</script>";
        receiver.answer("/hostile", 200, payload + "<svg onload=\"window.__pwned='svg'\">");
        String id = eventEndpoint("hostile", "/hostile", payload);
        publish("hostile", "order.created", "{\"note\": \"<script>window.__pwned='data'</script>\"}");
        browser.waitFor(d -> deliveries("hostile", "delivered").size() == 1, Duration.ofSeconds(20));

        openPortal(session("hostile", false));
        browser.find(By.cssSelector("table td.col-main a"));
        assertThat(browser.bodyText()).contains(payload);
        browser.open(h.baseUrl() + "/portal#/endpoints/" + id);
        browser.waitForText("Recent deliveries");
        assertThat(browser.bodyText()).contains(payload);
        browser.find(By.cssSelector(".card table td.col-main a")).click();
        browser.waitForText("<svg onload=");
        browser.waitForText("window.__pwned='data'");
        assertThat(browser.all(By.cssSelector("main img, main script, main svg[onload], main [onerror]")))
                .as("no element made from outside text").isEmpty();
        assertThat(browser.js("return window.__pwned")).as("sentinel set by an injected script").isNull();
        browser.screenshots("portal-xss");
    }

    @Test
    void anEd25519EndpointShowsItsPublicKey() {
        h.seed("wayne");
        openPortal(session("wayne", false));
        browser.clickText("Add your first endpoint");
        browser.type(byLabel("URL"), receiver.url("/wayne"));
        browser.click(By.xpath("//label[contains(., 'One request per event')]"));
        browser.find(By.xpath("//select[@name='signing']/option[@value='ed25519']")).click();
        browser.clickText("Create endpoint");
        browser.waitForText("Endpoint created");
        String key = browser.find(By.cssSelector(".alert-ok .secret")).getText();
        assertThat(key).startsWith("whpk_");
        JsonNode e = endpoints("wayne").get(0);
        assertThat(e.get("signing").stringValue()).isEqualTo("ed25519");
        assertThat(e.get("format").stringValue()).isEqualTo("event");
        assertThat(e.get("event_types")).as("every type").isEmpty();
        browser.clickText("Show keys");
        browser.waitFor(d -> browser.find(By.cssSelector(".card .secret")).getText().equals(key), Duration.ofSeconds(10));
    }

    @Test
    void aPartnerReadsTheCatalogueSubscribesToAGroupSendsATestEventAndSeesTheChart() {
        h.seed("stark");
        receiver.answer("/stark", 200, "{\"thanks\": \"<b>test</b>\"}");
        openPortal(session("stark", false));
        browser.waitForText("No endpoints yet");

        // the catalogue: each type's description, example and schema
        browser.clickText("Event types");
        browser.waitForText("An order was refunded");
        browser.find(By.xpath("//section[.//h2[normalize-space(.)='order.refunded']]//summary[normalize-space(.)='Example payload']")).click();
        browser.find(By.xpath("//section[.//h2[normalize-space(.)='order.refunded']]//summary[normalize-space(.)='JSON Schema']")).click();
        browser.waitForText("\"amount\": 1200");
        assertThat(browser.bodyText()).contains("\"required\": [", "A customer placed an order", "order.*");
        browser.screenshots("portal-catalogue");

        // a whole group: order.* covers order.created, order.paid, order.refunded and types added later
        browser.clickText("Endpoints");
        browser.clickText("Add your first endpoint");
        browser.type(byLabel("URL"), receiver.url("/stark"));
        browser.click(By.xpath("//label[contains(., 'One request per event')]"));
        browser.click(By.xpath("//label[contains(., 'Only the types I choose')]"));
        browser.click(By.xpath("//label[contains(., 'Every') and .//code[text()='order']]"));
        assertThat(browser.find(By.xpath("//label[.//code[text()='order.paid']]/input")).isEnabled()).as("covered by the group").isFalse();
        browser.clickText("Create endpoint");
        browser.waitForText("Endpoint created");
        JsonNode e = endpoints("stark").get(0);
        assertThat(e.get("event_types").valueStream().map(JsonNode::stringValue)).containsExactly("order.*");

        // a test event of a chosen type: the receiver's status and body, shown as text
        browser.clickText("Send test event");
        browser.find(By.cssSelector("dialog[open]"));
        browser.find(By.xpath("//dialog//select[@name='type']/option[@value='order.refunded']")).click();
        assertThat(browser.find(byLabel("Data (JSON)")).getDomProperty("value")).contains("\"amount\": 1200");
        browser.clickText("Send test");
        browser.waitForText(By.cssSelector("dialog .result"), "Delivered");
        assertThat(browser.find(By.cssSelector("dialog .result .badge")).getText()).isEqualTo("200");
        assertThat(browser.find(By.cssSelector("dialog .result pre")).getText()).isEqualTo("{\"thanks\": \"<b>test</b>\"}");
        assertThat(receiver.received("/stark")).hasSize(1);
        assertThat(receiver.received("/stark").getFirst().header("X-Webhook-Test")).isEqualTo("true");
        assertThat(receiver.received("/stark").getFirst().body()).contains("\"event\":\"order.refunded\"", "\"amount\":1200");
        browser.screenshots("portal-test-send");
        browser.click(By.cssSelector("dialog[open] .dialog-actions .btn-ghost"));
        browser.waitGone(By.cssSelector("dialog[open]"));

        // two events through the wildcard, one not subscribed; the chart draws what the stats route counts
        publish("stark", "order.created", "{\"order\": 1}");
        publish("stark", "order.paid", "{\"order\": 1}");
        publish("stark", "invoice.issued", "{\"invoice\": 1}");
        browser.waitFor(d -> deliveries("stark", "delivered").size() == 3, Duration.ofSeconds(20));
        assertThat(receiver.received("/stark")).hasSize(3);
        browser.open(h.baseUrl() + "/portal#/endpoints");
        browser.open(h.baseUrl() + "/portal#/endpoints/" + e.get("id").stringValue());
        browser.find(By.cssSelector(".chart-svg rect.bar-ok"));
        browser.find(By.cssSelector(".chart-svg .chart-line, .chart-svg .chart-dot"));
        assertThat(browser.find(By.cssSelector(".kpi-ok .kpi-value")).getText()).as("delivered, the test send left out").isEqualTo("2");
        browser.click(By.xpath("//summary[normalize-space(.)='Show the numbers']"));
        browser.find(By.cssSelector(".chart-table tbody tr"));
        int[] sums = new int[3];
        for (var row : browser.all(By.cssSelector(".chart-table tbody tr"))) {
            var cells = row.findElements(By.tagName("td"));
            for (int i = 0; i < 3; i++) {
                sums[i] += Integer.parseInt(cells.get(i + 1).getText());
            }
        }
        assertThat(sums).as("delivered, failed, attempts over the range's buckets").containsExactly(2, 0, 2);
        assertThat(browser.find(By.cssSelector(".chart-svg")).getAttribute("aria-label")).contains("2 delivered", "0 failed", "2 attempts");
        browser.assertEveryControlLabelled();
    }

    @Test
    void aPartnerRecoversFailedDeliveriesAndReplaysARange() {
        h.seed("hooli");
        receiver.answer("/hooli", 503, "maintenance");
        String id = eventEndpoint("hooli", "/hooli", "Warehouse");
        publish("hooli", "order.created", "{\"order\": 1}");
        publish("hooli", "order.paid", "{\"order\": 1}");
        browser.waitFor(d -> deliveries("hooli", "failed").size() == 2, Duration.ofSeconds(20));
        receiver.answer("/hooli", 200, "back");

        openPortal(session("hooli", false));
        browser.open(h.baseUrl() + "/portal#/endpoints/" + id);
        browser.find(By.cssSelector(".chart-svg rect.bar-bad"));
        var fmt = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
        var now = java.time.LocalDateTime.now();

        // a period before the failures recovers nothing: the range is honoured
        browser.setValue(By.cssSelector(".range-recover input[name=since]"), now.minusDays(3).format(fmt));
        browser.setValue(By.cssSelector(".range-recover input[name=until]"), now.minusDays(2).format(fmt));
        browser.click(By.cssSelector(".range-recover button[type=submit]"));
        browser.waitForText("Recover failed deliveries?");
        browser.click(By.cssSelector("dialog[open] button[type=submit]"));
        browser.waitForText(By.cssSelector(".range-recover .range-result"), "No delivery failed in that period");

        browser.setValue(By.cssSelector(".range-recover input[name=since]"), now.minusHours(1).format(fmt));
        browser.setValue(By.cssSelector(".range-recover input[name=until]"), "");
        browser.click(By.cssSelector(".range-recover button[type=submit]"));
        browser.click(By.cssSelector("dialog[open] button[type=submit]"));
        browser.waitForText(By.cssSelector(".range-recover .range-result"), "2 failed deliveries are being sent again.");
        browser.waitFor(d -> deliveries("hooli", "delivered").size() == 2, Duration.ofSeconds(20));
        assertThat(receiver.received("/hooli")).hasSize(4);

        // a replay asks first, then queues every subscribed event of the range again, in new deliveries
        browser.setValue(By.cssSelector(".range-replay input[name=since]"), now.minusHours(1).format(fmt));
        browser.click(By.cssSelector(".range-replay button[type=submit]"));
        browser.waitForText("Replay these events?");
        browser.clickText("Cancel");
        browser.waitGone(By.cssSelector("dialog[open]"));
        assertThat(browser.all(By.cssSelector(".range-replay .range-result")).getFirst().getText()).as("cancelled: nothing replayed").isEmpty();
        browser.click(By.cssSelector(".range-replay button[type=submit]"));
        browser.click(By.cssSelector("dialog[open] button[type=submit]"));
        browser.waitForText(By.cssSelector(".range-replay .range-result"), "2 events are queued again.");
        browser.waitFor(d -> deliveries("hooli", "delivered").size() == 4, Duration.ofSeconds(20));
        assertThat(receiver.received("/hooli")).hasSize(6);
        browser.screenshots("portal-recovery");
    }

    @Test
    void aPartnerFindsAnEventByIdAndSeesItsDeliveries() {
        h.seed("soylent");
        receiver.answer("/soylent", 200, "ok");
        eventEndpoint("soylent", "/soylent", "Kitchen");
        assertThat(h.post("/v1/tenants/soylent/events", "{\"id\": \"evt-soylent-1\", \"type\": \"order.created\","
                + " \"ordering_key\": \"cust-9\", \"data\": {\"note\": \"<script>window.__pwned='event'</script>\"}}").status())
                .isEqualTo(202);
        publish("soylent", "invoice.issued", "{\"invoice\": 2}");
        browser.waitFor(d -> deliveries("soylent", "delivered").size() == 2, Duration.ofSeconds(20));

        openPortal(session("soylent", false));
        browser.clickText("Events");
        browser.waitForText("evt-soylent-1");
        browser.find(By.xpath("//select[@name='type']/option[@value='invoice.issued']")).click();
        browser.waitFor(d -> !browser.bodyText().contains("evt-soylent-1"), Duration.ofSeconds(10));
        browser.assertEveryControlLabelled();

        browser.type(byLabel("Event id"), "no-such-event");
        browser.clickText("Find event");
        browser.waitForText("No event has this id");
        browser.clickText("Back to events");
        browser.type(byLabel("Event id"), "evt-soylent-1");
        browser.clickText("Find event");
        browser.waitForText("Event evt-soylent-1");
        browser.find(By.cssSelector("table .badge-ok"));
        assertThat(browser.bodyText()).contains(receiver.url("/soylent"), "cust-9", "<script>window.__pwned='event'</script>");
        assertThat(browser.js("return window.__pwned")).isNull();
        browser.screenshots("portal-event");

        browser.click(By.cssSelector("table td.col-main a"));
        browser.click(By.xpath("//a[normalize-space(.)='evt-soylent-1']"));
        browser.waitForText("Event evt-soylent-1");
        browser.clickText("Open in the delivery log");
        browser.waitFor(d -> browser.find(byLabel("Event id")).getDomProperty("value").equals("evt-soylent-1")
                && browser.all(By.cssSelector("table tbody tr")).size() == 1, Duration.ofSeconds(10));
    }
}
