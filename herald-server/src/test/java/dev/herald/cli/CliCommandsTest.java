package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Eventually;
import dev.herald.testing.LoopbackReceiver;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every resource command of the CLI, run in this JVM against one real Herald over loopback HTTP: the table for
 * people, the API's JSON with {@code --json}, exit code 1 with the problem's detail on stderr, exit code 2 for usage.
 * Each test works in its own tenant, so they share the Herald and stay independent.
 */
class CliCommandsTest {
    private static TestHerald herald;
    private static LoopbackReceiver receiver;
    private static CliRunner cli;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        herald = TestHerald.sqlite();
        receiver = new LoopbackReceiver();
        cli = new CliRunner(herald);
        herald.seed("cli-seed", "order.created", "order.paid");
    }

    @AfterAll
    static void stop() {
        receiver.close();
        herald.close();
    }

    private static CliRunner.Run ok(String... args) {
        CliRunner.Run run = cli.run(args);
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    private static String endpoint(String tenant, String... flags) {
        String[] args = new String[5 + flags.length];
        args[0] = "endpoints";
        args[1] = "create";
        args[2] = tenant;
        args[3] = "--json";
        args[4] = "--endpoint-url=" + receiver.url("/" + tenant);
        System.arraycopy(flags, 0, args, 5, flags.length);
        return ok(args).json().path("id").stringValue();
    }

    @Test
    void tenantsCreateListGetRenameDelete() {
        assertThat(ok("tenants", "create", "t-life", "--name", "Life Inc").out())
                .containsPattern("id\\s+t-life").containsPattern("name\\s+Life Inc");
        CliRunner.Run table = ok("tenants", "list");
        assertThat(table.out().lines().findFirst().orElseThrow()).matches("ID\\s+NAME\\s+CREATED");
        assertThat(table.out()).containsPattern("(?m)^t-life\\s+Life Inc\\s+\\d{4}-");
        JsonNode json = ok("tenants", "list", "--json", "--limit", "250").json();
        assertThat(json.path("data").findValuesAsString("id")).contains("t-life", "cli-seed");
        assertThat(json.has("next_cursor")).isTrue();

        assertThat(ok("tenants", "patch", "t-life", "--name", "Renamed").out()).containsPattern("name\\s+Renamed");
        assertThat(ok("tenants", "get", "t-life", "--json").json().path("name").stringValue()).isEqualTo("Renamed");
        assertThat(ok("tenants", "delete", "t-life").out()).contains("deleted tenant t-life");

        CliRunner.Run gone = cli.run("tenants", "get", "t-life");
        assertThat(gone.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(gone.out()).isEmpty();
        assertThat(gone.err()).isEqualTo("herald: no tenant t-life\n");
    }

    @Test
    void aListPrintsTheCursorOfTheNextPageOnStderr() {
        ok("tenants", "create", "t-page-a");
        ok("tenants", "create", "t-page-b");
        CliRunner.Run first = ok("tenants", "list", "--limit", "1");
        assertThat(first.out().lines()).hasSize(2);
        assertThat(first.err()).startsWith("(more: add --cursor ");
        String cursor = first.err().replaceAll("(?s).*--cursor (\\S+)\\).*", "$1");
        CliRunner.Run second = ok("tenants", "list", "--limit", "1", "--cursor", cursor);
        assertThat(second.out().lines().skip(1).findFirst().orElseThrow())
                .isNotEqualTo(first.out().lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void anApiErrorIsExitCode1WithTheDetailAndFieldOnStderr() {
        CliRunner.Run run = cli.run("tenants", "create", "bad id!");
        assertThat(run.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("herald: id: ").contains("(field: id)").endsWith("\n");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void usageErrorsAreExitCode2WithOneShortMessage() {
        CliRunner.Run unknownOption = cli.run("tenants", "list", "--colour");
        assertThat(unknownOption.exitCode()).isEqualTo(Main.USAGE);
        assertThat(unknownOption.err()).contains("Unknown option: '--colour'").contains("herald tenants list --help");

        CliRunner.Run missing = cli.run("keys", "create");
        assertThat(missing.exitCode()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("Missing required parameter: 'TENANT'");

        CliRunner.Run typo = cli.run("tenant", "list");
        assertThat(typo.exitCode()).isEqualTo(Main.USAGE);
        assertThat(typo.err()).contains("tenants");

        CliRunner.Run badTime = cli.run("deliveries", "list", "cli-seed", "--since", "yesterday");
        assertThat(badTime.exitCode()).isEqualTo(Main.USAGE);
        assertThat(badTime.err()).contains("--since: must be an RFC 3339 time");

        CliRunner.Run badLimit = cli.run("tenants", "list", "--limit", "many");
        assertThat(badLimit.exitCode()).isEqualTo(Main.USAGE);
        assertThat(badLimit.out()).isEmpty();

        CliRunner.Run nothing = cli.run();
        assertThat(nothing.exitCode()).isEqualTo(Main.USAGE);
        assertThat(nothing.err()).contains("Commands:");
    }

    @Test
    void helpListsEveryCommandAndCompletionPrintsABashScript() {
        String help = ok("--help").out();
        for (String command : new String[] {"serve", "tenants", "keys", "event-types", "endpoints", "events", "deliveries",
                "portal-link", "listen", "completion"}) {
            assertThat(help).containsPattern("(?m)^  " + command + "\\s");
        }
        assertThat(ok("endpoints", "--help").out()).contains("rotate-secret", "recover", "replay", "stats", "pause", "resume");
        String script = ok("completion").out();
        assertThat(script).contains("complete -F").contains("portal-link").contains("--forward-to");
    }

    @Test
    void keysCreateListRevokeAndARevokedKeyIsRefused() {
        ok("tenants", "create", "t-keys");
        CliRunner.Run created = ok("keys", "create", "t-keys");
        assertThat(created.out()).containsPattern("key\\s+hk_");
        assertThat(created.err()).contains("shown this once");
        JsonNode json = ok("keys", "create", "t-keys", "--json").json();
        String key = json.path("key").stringValue();
        String id = json.path("id").stringValue();

        CliRunner.Run list = ok("keys", "list", "t-keys");
        assertThat(list.out()).contains(id).containsPattern("ID\\s+PREFIX\\s+CREATED\\s+LAST USED").doesNotContain(key);

        CliRunner asTenant = new CliRunner(herald.baseUrl(), key);
        assertThat(asTenant.run("endpoints", "list", "t-keys").exitCode()).isZero();
        assertThat(ok("keys", "revoke", "t-keys", id).out()).contains("revoked key " + id);
        CliRunner.Run refused = asTenant.run("endpoints", "list", "t-keys");
        assertThat(refused.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(refused.err()).startsWith("herald: ").doesNotContain(key);
        assertThat(ok("keys", "list", "t-keys", "--json").json().path("data").findValuesAsString("id")).doesNotContain(id);
    }

    @Test
    void eventTypesWithSchemaAndExampleFiles() throws IOException {
        Path schema = Files.writeString(tmp.resolve("schema.json"),
                "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"}},\"required\":[\"amount\"]}");
        Path example = Files.writeString(tmp.resolve("example.json"), "{\"amount\": 42}");
        CliRunner.Run created = ok("event-types", "create", "invoice.sent", "--description", "An invoice went out",
                "--schema-file", schema.toString(), "--example-file", example.toString());
        assertThat(created.out()).containsPattern("name\\s+invoice.sent").containsPattern("example\\s+\\{\"amount\":42}");

        assertThat(ok("event-types", "list", "--limit", "250").out())
                .containsPattern("NAME\\s+SCHEMA\\s+EXAMPLE\\s+DESCRIPTION")
                .containsPattern("(?m)^invoice.sent\\s+yes\\s+yes\\s+An invoice went out$");
        assertThat(ok("event-types", "get", "invoice.sent", "--json").json().path("schema").path("required").get(0).stringValue())
                .isEqualTo("amount");
        assertThat(ok("event-types", "patch", "invoice.sent", "--description", "Sent").out()).containsPattern("description\\s+Sent");

        Path wrong = Files.writeString(tmp.resolve("wrong.json"), "{\"amount\": \"many\"}");
        CliRunner.Run refused = cli.run("event-types", "patch", "invoice.sent", "--example-file", wrong.toString());
        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(Main.API_ERROR);
        assertThat(refused.err()).startsWith("herald: example");

        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"amount\": ");
        CliRunner.Run notJson = cli.run("event-types", "patch", "invoice.sent", "--example-file", broken.toString());
        assertThat(notJson.exitCode()).isEqualTo(Main.USAGE);
        assertThat(notJson.err()).contains("--example-file " + broken + ": not valid JSON");
        assertThat(cli.run("event-types", "patch", "invoice.sent").exitCode()).isEqualTo(Main.USAGE);

        assertThat(ok("event-types", "delete", "invoice.sent").out()).contains("deleted event type invoice.sent");
        assertThat(cli.run("event-types", "get", "invoice.sent").err()).isEqualTo("herald: no event type named invoice.sent\n");
    }

    @Test
    void endpointsFromFlagsAndFromAFileThenChangedPausedRotatedAndDeleted() throws IOException {
        ok("tenants", "create", "t-ep");
        CliRunner.Run created = ok("endpoints", "create", "t-ep", "--endpoint-url", receiver.url("/t-ep"), "--event-type",
                "order.created,order.paid", "--format", "event", "--header", "X-Account=42", "--max-concurrency", "4");
        assertThat(created.out()).containsPattern("secret\\s+whsec_").containsPattern("format\\s+event")
                .containsPattern("headers\\s+\\{\"X-Account\":\"42\"}");
        String id = created.out().replaceAll("(?s).*?(?m)^id\\s+(\\S+).*", "$1");

        Path file = Files.writeString(tmp.resolve("endpoint.json"), "{\"url\": \"https://ignored.example/\","
                + " \"event_types\": [\"order.*\"], \"batch\": {\"max_events\": 10, \"window_ms\": 500}}");
        JsonNode fromFile = ok("endpoints", "create", "t-ep", "--from-file", file.toString(), "--endpoint-url", receiver.url("/file"),
                "--json").json();
        assertThat(fromFile.path("url").stringValue()).as("a flag wins over the file").isEqualTo(receiver.url("/file"));
        assertThat(fromFile.path("batch").path("max_events").asInt()).isEqualTo(10);
        String second = fromFile.path("id").stringValue();

        assertThat(ok("endpoints", "list", "t-ep").out()).containsPattern("ID\\s+URL\\s+FORMAT\\s+STATUS\\s+EVENT TYPES")
                .containsPattern(id + "\\s+" + receiver.url("/t-ep") + "\\s+event\\s+active\\s+\\[\"order.created\",\"order.paid\"]");
        assertThat(ok("endpoints", "get", "t-ep", id, "--json").json().path("max_concurrency").asInt()).isEqualTo(4);

        JsonNode updated = ok("endpoints", "update", "t-ep", second, "--max-events", "20", "--json").json();
        assertThat(updated.path("batch").path("max_events").asInt()).isEqualTo(20);
        assertThat(updated.path("batch").path("window_ms").asInt()).as("the stored window is kept").isEqualTo(500);

        assertThat(ok("endpoints", "pause", "t-ep", id).out()).isEqualTo("endpoint " + id + " is paused\n");
        assertThat(ok("endpoints", "get", "t-ep", id, "--json").json().path("status").stringValue()).isEqualTo("paused");
        assertThat(ok("endpoints", "resume", "t-ep", id).out()).isEqualTo("endpoint " + id + " is active\n");

        String before = ok("endpoints", "secret", "t-ep", id, "--json").json().path("secret").stringValue();
        JsonNode rotated = ok("endpoints", "rotate-secret", "t-ep", id, "--json").json();
        assertThat(rotated.path("secret").stringValue()).startsWith("whsec_").isNotEqualTo(before);
        assertThat(ok("endpoints", "secret", "t-ep", id).out()).containsPattern("previous_secret\\s+" + java.util.regex.Pattern.quote(before));

        CliRunner.Run invalid = cli.run("endpoints", "update", "t-ep", id, "--max-concurrency", "1000");
        assertThat(invalid.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(invalid.err()).startsWith("herald: max_concurrency").contains("(field: max_concurrency)");
        assertThat(cli.run("endpoints", "create", "t-ep").err()).contains("missing --endpoint-url");
        CliRunner.Run badHeader = cli.run("endpoints", "create", "t-ep", "--endpoint-url", receiver.url("/x"), "--header", "secret-value");
        assertThat(badHeader.exitCode()).isEqualTo(Main.USAGE);
        assertThat(badHeader.err()).contains("--header: must be NAME=VALUE").doesNotContain("secret-value");

        assertThat(ok("endpoints", "delete", "t-ep", second).out()).contains("deleted endpoint " + second);
        assertThat(cli.run("endpoints", "get", "t-ep", second).exitCode()).isEqualTo(Main.API_ERROR);
    }

    @Test
    void publishOneEventListAndGetItAndItsDelivery() {
        ok("tenants", "create", "t-pub");
        String endpoint = endpoint("t-pub", "--format", "event", "--event-type", "order.created");
        CliRunner.Run published = ok("events", "publish", "t-pub", "--type", "order.created", "--data", "{\"n\": 1}",
                "--id", "evt-1", "--ordering-key", "k1");
        assertThat(published.out()).containsPattern("id\\s+evt-1").containsPattern("created_at\\s+\\d{4}-");
        assertThat(ok("events", "publish", "t-pub", "--type", "order.created", "--json").json().path("id").isString()).isTrue();

        assertThat(ok("events", "list", "t-pub", "--type", "order.created").out())
                .containsPattern("ID\\s+TYPE\\s+CREATED\\s+ORDERING KEY").containsPattern("evt-1\\s+order.created\\s+\\S+\\s+k1");
        assertThat(ok("events", "list", "t-pub", "--since", "1h", "--json").json().path("data")).hasSize(2);
        JsonNode event = Eventually.until("the event's delivery", Duration.ofSeconds(10),
                () -> ok("events", "get", "t-pub", "evt-1", "--json").json(), e -> e.path("deliveries").size() == 1);
        String delivery = event.path("deliveries").get(0).path("id").stringValue();
        assertThat(ok("events", "get", "t-pub", "evt-1").out()).containsPattern("data\\s+\\{\"n\":1}")
                .containsPattern("DELIVERY\\s+ENDPOINT\\s+STATUS").contains(delivery);

        Eventually.until("delivered", Duration.ofSeconds(10),
                () -> ok("deliveries", "get", "t-pub", delivery, "--json").json(),
                d -> d.path("status").stringValue().equals("delivered"));
        assertThat(ok("deliveries", "list", "t-pub", "--endpoint", endpoint, "--event-id", "evt-1", "--status", "delivered").out())
                .containsPattern("ID\\s+ENDPOINT\\s+STATUS\\s+EVENTS\\s+ATTEMPTS\\s+CREATED\\s+NEXT ATTEMPT")
                .containsPattern(delivery + "\\s+" + endpoint + "\\s+delivered\\s+1\\s+1\\s+\\S+\\s+-");
        assertThat(ok("deliveries", "list", "t-pub", "--status", "failed", "--json").json().path("data")).isEmpty();
        CliRunner.Run shown = ok("deliveries", "get", "t-pub", delivery);
        assertThat(shown.out()).containsPattern("status\\s+delivered").containsPattern("N\\s+AT\\s+STATUS\\s+MS\\s+ERROR\\s+RESPONSE")
                .containsPattern("(?m)^1\\s+\\S+\\s+200\\s");
        assertThat(ok("deliveries", "get", "t-pub", delivery, "--json").json().path("body").path("data").path("n").asInt())
                .isEqualTo(1);

        CliRunner.Run notFailed = cli.run("deliveries", "retry", "t-pub", delivery);
        assertThat(notFailed.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(notFailed.err()).contains("is not failed");

        CliRunner.Run unknownType = cli.run("events", "publish", "t-pub", "--type", "nope.nothing");
        assertThat(unknownType.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(cli.run("events", "publish", "t-pub").err()).contains("missing --type");
        assertThat(cli.run("events", "publish", "t-pub", "--type", "order.created", "--data", "{oops").exitCode())
                .isEqualTo(Main.USAGE);
    }

    @Test
    void aFailedDeliveryIsRetriedRecoveredAndCountedInStats() {
        ok("tenants", "create", "t-fail");
        receiver.answer("/t-fail", 500, "down");
        String endpoint = endpoint("t-fail", "--format", "event", "--max-attempts", "1", "--event-type", "order.paid");
        ok("events", "publish", "t-fail", "--type", "order.paid", "--data", "{}");
        JsonNode failed = Eventually.until("a failed delivery", Duration.ofSeconds(10),
                () -> ok("deliveries", "list", "t-fail", "--status", "failed", "--json").json().path("data"), d -> d.size() == 1);
        String delivery = failed.get(0).path("id").stringValue();

        assertThat(ok("deliveries", "retry", "t-fail", delivery).out()).contains("delivery " + delivery + " is pending again");
        Eventually.until("failed again", Duration.ofSeconds(10),
                () -> ok("deliveries", "get", "t-fail", delivery, "--json").json(),
                d -> d.path("status").stringValue().equals("failed") && d.path("attempt_count").asInt() == 2);
        assertThat(ok("deliveries", "get", "t-fail", delivery).out()).containsPattern("(?m)^2\\s+\\S+\\s+500\\s");

        assertThat(ok("endpoints", "recover", "t-fail", endpoint, "--since", "1h").out()).isEqualTo("1 failed deliveries queued again\n");
        Eventually.until("failed once more", Duration.ofSeconds(10),
                () -> ok("deliveries", "get", "t-fail", delivery, "--json").json(),
                d -> d.path("status").stringValue().equals("failed") && d.path("attempt_count").asInt() == 3);

        CliRunner.Run stats = ok("endpoints", "stats", "t-fail", endpoint, "--since", "1h");
        assertThat(stats.out()).containsPattern("attempts\\s+\\{\"total\":3,\"succeeded\":0,\"failed\":3}")
                .containsPattern("START\\s+DELIVERED\\s+FAILED\\s+ATTEMPTS");
        assertThat(ok("endpoints", "stats", "t-fail", endpoint, "--json").json().path("deliveries").path("failed").asInt())
                .isEqualTo(1);

        assertThat(ok("endpoints", "replay", "t-fail", endpoint, "--since", "1h", "--until", "2099-01-01T00:00:00Z").out())
                .isEqualTo("1 events queued again\n");
        CliRunner.Run noSince = cli.run("endpoints", "replay", "t-fail", endpoint);
        assertThat(noSince.exitCode()).isEqualTo(Main.USAGE);
        assertThat(noSince.err()).contains("--since");
    }

    @Test
    void testSendReachesTheEndpointWithTheTestHeader() {
        ok("tenants", "create", "t-test");
        String endpoint = endpoint("t-test", "--format", "event");
        CliRunner.Run sent = ok("endpoints", "test", "t-test", endpoint, "--type", "order.created", "--data", "{\"hello\":1}");
        assertThat(sent.out()).startsWith("test delivery ").contains("herald deliveries get t-test ");
        Eventually.until("the test delivery", Duration.ofSeconds(10), () -> receiver.received("/t-test"), r -> r.size() == 1);
        assertThat(receiver.received("/t-test").getFirst().header("X-Webhook-Test")).isEqualTo("true");
        assertThat(ok("endpoints", "test", "t-test", endpoint, "--type", "order.created", "--data", "{}", "--json").json().path("delivery_id")
                .isString()).isTrue();
    }

    @Test
    void portalLinkPrintsTheUrlAndTheSessionWorks() {
        ok("tenants", "create", "t-portal");
        CliRunner.Run link = ok("portal-link", "t-portal", "--read-only", "--expires-in", "30m");
        assertThat(link.out()).matches("http://localhost:\\d+/portal#token=hps_\\S+\n");
        assertThat(link.err()).contains("read-only");
        String token = link.out().strip().replaceAll(".*#token=", "");
        CliRunner.Run asPortal = new CliRunner(herald.baseUrl(), token).run("endpoints", "list", "t-portal", "--json");
        assertThat(asPortal.exitCode()).as("%s", asPortal).isZero();

        JsonNode json = ok("portal-link", "t-portal", "--json").json();
        assertThat(json.path("read_only").asBoolean()).isFalse();
        assertThat(json.path("url").stringValue()).contains("#token=hps_");
        CliRunner.Run tooLong = cli.run("portal-link", "t-portal", "--expires-in", "30d");
        assertThat(tooLong.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(tooLong.err()).contains("expires_in_s");
        assertThat(cli.run("portal-link", "t-portal", "--expires-in", "soon").exitCode()).isEqualTo(Main.USAGE);
    }

    @Test
    void theTokenComesFromTheFlagTheFileTheVariableOrTheDataDirectoryAndIsNeverPrinted() throws IOException {
        CliRunner none = new CliRunner(herald.baseUrl(), null).env(CliEnvironment.DATA_DIR, tmp.resolve("empty").toString());
        CliRunner.Run noToken = none.run("tenants", "list");
        assertThat(noToken.exitCode()).isEqualTo(Main.USAGE);
        assertThat(noToken.err()).contains("no token").contains("HERALD_TOKEN");

        assertThat(none.run("tenants", "list", "--token", TestHerald.ADMIN).exitCode()).isZero();
        Path file = Files.writeString(tmp.resolve("token"), TestHerald.ADMIN + "\n");
        assertThat(none.run("tenants", "list", "--token-file", file.toString()).exitCode()).isZero();
        assertThat(none.run("tenants", "list", "--token", "x", "--token-file", file.toString()).exitCode()).isEqualTo(Main.USAGE);

        // why: beside `herald serve`, the admin token it generated in its data directory is found with no setup
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(dataDir.resolve(dev.herald.config.AdminToken.FILE), TestHerald.ADMIN + "\n");
        CliRunner beside = new CliRunner(herald.baseUrl(), null).env(CliEnvironment.DATA_DIR, dataDir.toString());
        assertThat(beside.run("tenants", "list").exitCode()).isZero();

        CliRunner wrong = new CliRunner(herald.baseUrl(), "not-the-token-but-secret-looking-0123");
        CliRunner.Run refused = wrong.run("tenants", "list");
        assertThat(refused.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(refused.out() + refused.err()).doesNotContain("not-the-token-but-secret-looking-0123");

        CliRunner.Run flag = new CliRunner(null, null).run("tenants", "list", "--url", herald.baseUrl(), "--token", TestHerald.ADMIN);
        assertThat(flag.exitCode()).isZero();
        CliRunner.Run badUrl = cli.run("tenants", "list", "--url", "localhost:8080");
        assertThat(badUrl.exitCode()).isEqualTo(Main.USAGE);
        assertThat(badUrl.err()).contains("--url: must be an http:// or https:// URL");
    }

    @Test
    void anUnreachableHeraldIsExitCode1NamingTheUrl() throws IOException {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CliRunner.Run run = new CliRunner("http://127.0.0.1:" + closed, TestHerald.ADMIN).run("tenants", "list");
        assertThat(run.exitCode()).isEqualTo(Main.API_ERROR);
        assertThat(run.err()).startsWith("herald: cannot reach Herald at http://127.0.0.1:" + closed).contains("HERALD_URL");
        assertThat(run.err()).doesNotContain(TestHerald.ADMIN);
    }

    @Test
    void publishAJsonlFileInBulkChunksWithAProgressBarOnlyOnATerminal() throws IOException {
        ok("tenants", "create", "t-bulk");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2_500; i++) {
            lines.append("{\"id\":\"b-").append(i).append("\",\"type\":\"order.created\",\"data\":{\"i\":").append(i).append("}}\n");
            if (i == 10) {
                lines.append("\n"); // a blank line is skipped
            }
        }
        Path file = Files.writeString(tmp.resolve("events.jsonl"), lines);

        CliRunner.Run piped = ok("events", "publish", "t-bulk", "--file", file.toString());
        assertThat(piped.out()).isEqualTo("published 2500 events from " + file + "\n");
        assertThat(piped.err()).as("no progress bar when stdout is not a terminal").isEmpty();
        assertThat(herald.get("/v1/tenants/t-bulk/events?limit=1").json().path("data").get(0).path("id").stringValue())
                .isEqualTo("b-2499");

        CliRunner.Run onTerminal = new CliRunner(herald).terminal(true).run("events", "publish", "t-bulk", "--file", file.toString());
        assertThat(onTerminal.exitCode()).isZero();
        assertThat(onTerminal.err()).contains("\r[").contains("] 1,000/2,500 events").endsWith("] 2,500/2,500 events\n");

        JsonNode json = ok("events", "publish", "t-bulk", "--file", file.toString(), "--json").json();
        assertThat(json.path("data")).hasSize(2_500);
        assertThat(json.path("data").get(1_234).path("id").stringValue()).as("a repeated id answers the first event")
                .isEqualTo("b-1234");
    }

    @Test
    void aRefusedChunkNamesItsLinesAndWhatWasPublishedBeforeIt() throws IOException {
        ok("tenants", "create", "t-bulk-bad");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1_005; i++) {
            String type = i == 1_003 ? "no.such.type" : "order.created";
            lines.append("{\"type\":\"").append(type).append("\",\"data\":{}}\n");
        }
        Path file = Files.writeString(tmp.resolve("bad.jsonl"), lines);
        CliRunner.Run run = cli.run("events", "publish", "t-bulk-bad", "--file", file.toString());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(Main.API_ERROR);
        assertThat(run.err()).startsWith("herald: lines 1001-1005 of " + file + " were not published (1000 events before them were): ")
                .contains("(line 1004)");
        assertThat(herald.get("/v1/tenants/t-bulk-bad/events?limit=250").json().path("data")).hasSize(250);

        Path notJson = Files.writeString(tmp.resolve("broken.jsonl"), "{\"type\":\"order.created\",\"data\":{}}\n[1,2]\n");
        CliRunner.Run broken = cli.run("events", "publish", "t-bulk-bad", "--file", notJson.toString());
        assertThat(broken.exitCode()).isEqualTo(Main.USAGE);
        assertThat(broken.err()).contains(notJson + " line 2: must be a JSON object");
        assertThat(cli.run("events", "publish", "t-bulk-bad", "--file", file.toString(), "--type", "x").exitCode())
                .isEqualTo(Main.USAGE);
    }
}
