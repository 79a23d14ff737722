package dev.herald.cli;

import java.time.Clock;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What the CLI reads from the process around it: environment variables, whether stdout is a terminal, the clock.
 * why: injected, so tests run every command in one JVM with their own {@code HERALD_URL} and token, and can say
 * "this is a terminal" without one.
 */
record CliEnvironment(Map<String, String> variables, BooleanSupplier stdoutIsTerminal, Clock clock) {
    static final String URL = "HERALD_URL";
    static final String TOKEN = "HERALD_TOKEN";
    static final String DATA_DIR = "HERALD_DATA_DIR";
    static final String DEFAULT_URL = "http://localhost:8080";
    static final String DEFAULT_DATA_DIR = "./herald-data";

    static CliEnvironment system() {
        // why: System.console() is non-null on JDK 22+ even when stdout is a pipe; isTerminal() tells the truth
        return new CliEnvironment(System.getenv(), () -> System.console() != null && System.console().isTerminal(),
                Clock.systemUTC());
    }

    String get(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
