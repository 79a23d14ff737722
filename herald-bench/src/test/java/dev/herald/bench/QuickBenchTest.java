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
 * jar Maven packaged before this module's tests; the launcher trains its start-up cache first when the jar is new):
 * every scenario runs and loses nothing. Never a speed.
 */
class QuickBenchTest {

    @Test
    @Timeout(900) // why: a safety net, not a speed: the first start after a build includes the cache's training
    void quickModeRunsEveryScenarioAndDeliversEveryEvent(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        BenchMain.Outcome outcome = BenchMain.run(new String[] {"--quick", "--json", json.toString()}, System.out);

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
