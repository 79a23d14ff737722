package dev.herald.cli;

import dev.herald.json.Json;
import dev.herald.testing.TestHerald;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Runs {@code herald ...} in this JVM against a real Herald, as a user's shell would: its own environment
 * ({@code HERALD_URL}, {@code HERALD_TOKEN}), stdout and stderr captured, the exit code answered.
 */
final class CliRunner {
    /** What one run printed and answered. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            return Json.parse(out);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> variables = new HashMap<>();
    private boolean terminal;
    private Clock clock = Clock.systemUTC();

    CliRunner(TestHerald herald) {
        this(herald.baseUrl(), TestHerald.ADMIN);
    }

    CliRunner(String url, String token) {
        if (url != null) {
            variables.put(CliEnvironment.URL, url);
        }
        if (token != null) {
            variables.put(CliEnvironment.TOKEN, token);
        }
    }

    CliRunner env(String name, String value) {
        if (value == null) {
            variables.remove(name);
        } else {
            variables.put(name, value);
        }
        return this;
    }

    /** Pretends stdout is a terminal (the progress bar is drawn only then). */
    CliRunner terminal(boolean isTerminal) {
        this.terminal = isTerminal;
        return this;
    }

    CliRunner clock(Clock c) {
        this.clock = c;
        return this;
    }

    Run run(String... args) {
        return run(new StringWriter(), new StringWriter(), args);
    }

    /** The same, writing into {@code out} and {@code err} as it goes (a long-running command can be watched). */
    Run run(StringWriter out, StringWriter err, String... args) {
        boolean isTerminal = terminal;
        var cli = Main.commandLine(new Main(new CliEnvironment(Map.copyOf(variables), () -> isTerminal, clock)), args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
