package dev.herald.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.HttpUrl;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * The options every API command shares: where Herald is, who is calling, and {@code --json}. Also the command's
 * writers (picocli's, so tests capture them) and a way to print an answer as a table or as the API's JSON.
 *
 * <p>The token is the first of: {@code --token}, {@code --token-file}, {@code HERALD_TOKEN}, and the admin token that
 * {@code herald serve} generated in {@code HERALD_DATA_DIR} [./herald-data]{@code /admin-token}.
 */
final class ApiOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "<url>",
            description = "Herald's base URL [HERALD_URL, else " + CliEnvironment.DEFAULT_URL + "]")
    String url;

    @Option(names = "--token", paramLabel = "<token>",
            description = "Bearer token: admin token, tenant key (hk_…) or portal session (hps_…) [HERALD_TOKEN,"
                    + " else the admin-token file in HERALD_DATA_DIR]")
    String token;

    @Option(names = "--token-file", paramLabel = "<file>", description = "Read the token from this file (trailing newline ignored)")
    Path tokenFile;

    @Option(names = "--json", description = "Print the API's JSON answer unchanged instead of a table")
    boolean json;

    private ApiClient client;

    CliEnvironment env() {
        return ((Main) spec.root().userObject()).environment();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The API client for these options; a bad URL or token source is a usage error (exit code 2). */
    ApiClient client() {
        if (client == null) {
            client = new ApiClient(baseUrl(), resolveToken());
        }
        return client;
    }

    private HttpUrl baseUrl() {
        String raw = url != null ? url : env().get(CliEnvironment.URL);
        String from = url != null ? "--url" : CliEnvironment.URL;
        if (raw == null) {
            raw = CliEnvironment.DEFAULT_URL;
        }
        HttpUrl parsed = HttpUrl.parse(raw.strip());
        if (parsed == null) {
            throw usage(from + ": must be an http:// or https:// URL like " + CliEnvironment.DEFAULT_URL + ", was '" + raw + "'");
        }
        return parsed;
    }

    private String resolveToken() {
        if (token != null && tokenFile != null) {
            throw usage("--token and --token-file: give one of them, not both");
        }
        if (token != null) {
            return nonBlank(token.strip(), "--token");
        }
        if (tokenFile != null) {
            return read(tokenFile, "--token-file");
        }
        String fromEnv = env().get(CliEnvironment.TOKEN);
        if (fromEnv != null) {
            return fromEnv.strip();
        }
        // why: beside a `herald serve` that generated its admin token, the CLI works with no setup at all
        String dataDir = env().get(CliEnvironment.DATA_DIR);
        Path generated = Path.of(dataDir == null ? CliEnvironment.DEFAULT_DATA_DIR : dataDir, "admin-token");
        if (Files.isReadable(generated)) {
            return read(generated, CliEnvironment.DATA_DIR + "/admin-token");
        }
        throw usage("no token: pass --token or --token-file, or set " + CliEnvironment.TOKEN
                + " (" + generated + " does not exist either)");
    }

    private String read(Path file, String what) {
        try {
            return nonBlank(Files.readString(file, StandardCharsets.UTF_8).strip(), what + " " + file);
        } catch (IOException e) {
            throw usage(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private String nonBlank(String value, String what) {
        if (value.isEmpty()) {
            throw usage(what + ": the token is empty");
        }
        return value;
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The JSON in {@code file}, named by {@code option}; a file that cannot be read or parsed is a usage error. */
    JsonNode jsonFile(String option, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage(option + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        return json(option + " " + file, text);
    }

    /** {@code text} parsed as JSON; when it is not JSON, a usage error naming {@code what}. */
    JsonNode json(String what, String text) {
        try {
            return dev.herald.json.Json.parse(text);
        } catch (tools.jackson.core.JacksonException e) {
            throw usage(what + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /** {@code --since}/{@code --until} style option {@code name}: RFC 3339 or a span back from now; null stays null. */
    String instant(String name, String raw) {
        if (raw == null) {
            return null;
        }
        return Times.instant(raw, env().clock()).map(java.time.Instant::toString)
                .orElseThrow(() -> usage(name + ": must be " + Times.INSTANT_HELP + ", was '" + raw + "'"));
    }

    /** Prints a list answer: the table of its {@code data}, and on stderr how to see the next page when there is one. */
    void printPage(ApiClient.Answer answer, java.util.function.Function<JsonNode, Table> table) {
        print(answer, page -> {
            Table t = table.apply(page.path("data"));
            t.print(out());
            JsonNode next = page.path("next_cursor");
            if (next.isString()) {
                err().println("(more: add --cursor " + next.stringValue() + ")");
                err().flush();
            }
        });
    }

    /** A one-line confirmation for people; with {@code --json}, the API's answer (nothing for a 204). */
    void done(ApiClient.Answer answer, String message) {
        print(answer, n -> out().println(message));
    }

    /** {@code --json}: the answer's text as the API sent it; otherwise {@code table} renders it. */
    void print(ApiClient.Answer answer, java.util.function.Consumer<JsonNode> table) {
        if (json) {
            if (!answer.text().isEmpty()) {
                out().println(answer.text());
            }
        } else {
            table.accept(answer.json());
        }
        out().flush();
    }
}
