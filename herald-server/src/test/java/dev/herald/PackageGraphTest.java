package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Packages depend one way, in the direction data flows (DESIGN.md, Layout): a package that reaches back to
 * one that depends on it is a cycle, and fails here with the path that closes it. Read from the sources, so
 * fully qualified names in code count as much as imports.
 */
class PackageGraphTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/herald");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.herald\\.([a-z]+)\\.[A-Za-z]");

    @Test
    void thePackageGraphHasNoCycle() {
        Map<String, Set<String>> graph = graph();

        assertThat(graph).as("packages found under %s", SOURCES).containsKeys("api", "store", "delivery", "batching", "ingest");
        assertThat(cycles(graph)).as("package cycles (each a path back to its start)").isEmpty();
    }

    @Test
    void theStoreDependsOnNoEngine() {
        assertThat(graph().get("store")).doesNotContain("api", "ingest", "batching", "delivery", "cli");
    }

    /** Package → the packages its sources name; the composition root ({@code dev.herald}) is left out. */
    static Map<String, Set<String>> graph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(f);
                if (relative.getNameCount() < 2) {
                    continue; // the root package wires everything and nothing imports it
                }
                String own = relative.getName(0).toString();
                Set<String> deps = graph.computeIfAbsent(own, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(own)) {
                        deps.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    static List<String> cycles(Map<String, Set<String>> graph) {
        List<String> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            walk(graph, start, new ArrayList<>(List.of(start)), found);
        }
        return found;
    }

    private static void walk(Map<String, Set<String>> graph, String at, List<String> path, List<String> found) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(path.getFirst())) {
                found.add(String.join(" -> ", path) + " -> " + next);
            } else if (!path.contains(next) && next.compareTo(path.getFirst()) > 0) {
                // why: each cycle is reported once, from its alphabetically first package
                path.add(next);
                walk(graph, next, path, found);
                path.removeLast();
            }
        }
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> withCycle = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));

        assertThat(cycles(withCycle)).containsExactly("a -> b -> c -> a");
    }
}
