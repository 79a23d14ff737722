package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole quick mode, in-process, each Herald started by the repository's launcher ({@code ./herald serve}, the
 * jar Maven packaged before this module's tests): every scenario runs and loses nothing. A smoke test, never a speed.
 */
class QuickBenchTest {

    @Test
    // why: a safety net, not a speed: about a minute on a quiet 2-core machine, several on one shared with other builds
    @Timeout(600)
    void quickModeRunsEveryScenarioAndDeliversEveryEvent(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        // why: without the start-up cache, so `mvn verify` does not train one for the jar it just built (a minute on a
        // loaded machine); LauncherTest covers the cache, and this test what every scenario does
        BenchMain.Outcome outcome = BenchMain.run(new String[] {"--quick", "--json", json.toString(),
                "--herald-env", "HERALD_AOT_CACHE=off"}, System.out);

        Report report = outcome.report();
        assertThat(report).isNotNull();
        assertThat(report.incomplete()).as("scenario runs that failed or lost events").isEmpty();
        assertThat(outcome.exitCode()).isZero();
        for (String scenario : Bench.scenarioOrder()) {
            assertThat(report.runs().get(scenario)).as(scenario).hasSize(1);
            Report.Run run = report.runs().get(scenario).get(0);
            assertThat(run.published).as(scenario + " published").isPositive();
            assertThat(run.delivered).as(scenario + " delivered").isGreaterThanOrEqualTo(run.published);
            assertThat(run.figures).as(scenario + " figures").isNotEmpty();
        }
        JsonNode written = Bench.JSON.readTree(Files.readString(json));
        assertThat(written.get("mode").asString()).isEqualTo("quick");
        assertThat(written.get("figures").size()).isGreaterThan(10);
    }
}
