package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.Herald;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald train}, the launcher's training run for the start-up cache: a real Herald driven end to end, then stopped. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(), args);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aTrainingRunPublishesAndDeliversEveryEventThroughTheApiAndStops() {
        Path data = tmp.resolve("data");

        Run run = run("train", "--data-dir", data.toString(), "--events", "200");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("200 events published and delivered");
        assertThat(data.resolve(Herald.SQLITE_FILE)).exists();
    }

    @Test
    void aDataDirectoryHoldingAHeraldIsRefusedNotTrainedOn() throws Exception {
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve(Herald.SQLITE_FILE), "");

        Run run = run("train", "--data-dir", tmp.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).contains("--data-dir").contains("empty directory");
    }

    @Test
    void theTrainingCommandIsNotListedInTheHelp() {
        Run run = run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("serve").doesNotContain("train");
    }
}
