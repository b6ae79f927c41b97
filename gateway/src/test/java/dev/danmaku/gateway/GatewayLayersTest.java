package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The gateway's packages depend on each other one way only (docs/architecture.md): the core (room)
 * sees viewers through its own ports and never the WebSocket sessions, the bus adapter and presence
 * reach the core, and only the edge (ws, player) sees everything. Read from the sources' imports.
 */
class GatewayLayersTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/danmaku/gateway");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.danmaku\\.gateway\\.([a-z]+)\\.",
            Pattern.MULTILINE);

    @Test
    void theRoomCoreImportsNoAdapterAndNoPackageDependsOnItselfInACircle() throws IOException {
        Map<String, Set<String>> uses = packageImports();

        assertThat(uses.get("room")).as("the room core").containsOnly("protocol");
        assertThat(uses.get("protocol")).as("frames").isEmpty();
        for (String from : uses.keySet()) {
            assertThat(reachableFrom(from, uses)).as("packages %s reaches", from).doesNotContain(from);
        }
    }

    private static Map<String, Set<String>> packageImports() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // the wiring (Gateway, GatewayConfig) may see every package
                }
                String from = relative.getName(0).toString();
                Set<String> to = uses.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        to.add(imported.group(1));
                    }
                }
            }
        }
        return uses;
    }

    private static Set<String> reachableFrom(String start, Map<String, Set<String>> uses) {
        Set<String> reached = new HashSet<>();
        Set<String> next = new HashSet<>(uses.getOrDefault(start, Set.of()));
        while (!next.isEmpty()) {
            String current = next.iterator().next();
            next.remove(current);
            if (reached.add(current)) {
                next.addAll(uses.getOrDefault(current, Set.of()));
            }
        }
        return reached;
    }
}
