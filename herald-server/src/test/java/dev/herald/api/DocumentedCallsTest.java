package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The guides show calls with curl; each must name a route Herald has, with the method it has, and only query
 * parameters that route accepts. A renamed route or parameter then fails here, not in a reader's terminal.
 */
class DocumentedCallsTest {
    /** {@code curl … $HERALD/path?query}, with an optional {@code -X METHOD}; a body ({@code -d}) without -X is a POST. */
    private static final Pattern CURL = Pattern.compile("curl\\b(?<args>.*?)[\"']?\\$(?:\\{HERALD}|HERALD)(?<path>/[^\\s\"']*)");
    private static final Pattern METHOD = Pattern.compile("-X\\s+([A-Z]+)");

    record Call(String file, String method, String path, Set<String> query) {
    }

    @Test
    void everyCurlInTheDocsNamesARegisteredRouteAndItsParameters() throws IOException {
        List<Call> calls = calls();
        assertThat(calls).as("calls found in the docs").hasSizeGreaterThan(30);
        try (TestHerald h = TestHerald.sqlite()) {
            List<HttpApi.Route> routes = h.herald().api().routes();
            assertThat(calls).allSatisfy(call -> {
                List<HttpApi.Route> matching = routes.stream()
                        .filter(r -> r.method().equals(call.method()) && matches(r.path(), call.path())).toList();
                assertThat(matching).as("%s: %s %s is a route", call.file(), call.method(), call.path()).isNotEmpty();
                assertThat(matching.getFirst().queryParams()).as("%s: the query of %s %s", call.file(), call.method(),
                        call.path()).containsAll(call.query());
            });
        }
    }

    @Test
    void aCallToNoRouteIsFound() {
        assertThat(matches("/v1/tenants/{tenant}/endpoints/{endpoint}", "/v1/tenants/acme/endpoints/$ENDPOINT")).isTrue();
        assertThat(matches("/v1/tenants/{tenant}/endpoints/{endpoint}", "/v1/tenants/acme/endpoint/$ENDPOINT")).isFalse();
        assertThat(matches("/v1/tenants/{tenant}", "/v1/tenants/acme/keys")).isFalse();
    }

    /** A documented path matches a route when its segments match, a {parameter} taking any one segment. */
    static boolean matches(String route, String documented) {
        String[] r = route.split("/");
        String[] d = documented.split("/");
        if (r.length != d.length) {
            return false;
        }
        for (int i = 0; i < r.length; i++) {
            if (!(r[i].startsWith("{") || r[i].startsWith("<")) && !r[i].equals(d[i])) {
                return false;
            }
        }
        return true;
    }

    private static List<Call> calls() throws IOException {
        Path root = Path.of("..");
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
        }
        List<Call> calls = new ArrayList<>();
        for (Path file : files) {
            // why: a call continued over lines with a trailing backslash is one command
            String text = Files.readString(file).replace("\\\n", " ");
            for (String line : text.split("\n")) {
                Matcher m = CURL.matcher(line);
                if (!m.find()) {
                    continue;
                }
                Matcher method = METHOD.matcher(line);
                String verb = method.find() ? method.group(1) : line.contains(" -d ") || line.contains(" --data") ? "POST" : "GET";
                String[] pathAndQuery = m.group("path").split("\\?", 2);
                Set<String> query = pathAndQuery.length < 2 ? Set.of() : Stream.of(pathAndQuery[1].split("&"))
                        .map(p -> p.split("=", 2)[0]).collect(Collectors.toSet());
                calls.add(new Call(file.getFileName().toString(), verb, pathAndQuery[0], query));
            }
        }
        return calls;
    }
}
