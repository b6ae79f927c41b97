package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * No image can be built on the machines that run these tests (no Docker daemon), so the
 * Dockerfile is checked against what the build produces and what the chart expects.
 */
class ContainerImageTest {

    private static final Path ROOT = Path.of(System.getProperty("danmaku.chart", "../helm/danmaku")).resolve("../..").normalize();

    private static List<String> runtimeStage() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        int from = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                from = i;
            }
        }
        return lines.subList(from, lines.size());
    }

    @Test
    void runsTheLauncherAsTheChartsNonRootUser() throws IOException {
        List<String> runtime = runtimeStage();
        assertThat(runtime.get(0)).startsWith("FROM eclipse-temurin:17-jre");
        assertThat(runtime).contains("USER 10001:10001");
        assertThat(runtime).anySatisfy(line -> assertThat(line).contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/danmaku/danmaku.jar\"]"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).contains("MaxRAMPercentage"));
        String values = Files.readString(ROOT.resolve("helm/danmaku/values.yaml"));
        assertThat(values).contains("runAsUser: 10001").contains("readOnlyRootFilesystem: true");
    }

    @Test
    void copiesWhatTheBuildProduces() throws IOException {
        List<String> runtime = runtimeStage();
        assertThat(runtime).contains("COPY --from=build /src/launcher/target/lib/ lib/",
                "COPY --from=build /src/launcher/target/danmaku.jar danmaku.jar");
        String launcherPom = Files.readString(ROOT.resolve("launcher/pom.xml"));
        assertThat(launcherPom).contains("<finalName>danmaku</finalName>").contains("<classpathPrefix>lib/</classpathPrefix>");
        List<String> build = Files.readAllLines(ROOT.resolve("Dockerfile"));
        String rootPom = Files.readString(ROOT.resolve("pom.xml"));
        for (String module : rootPom.lines().map(String::trim).filter(l -> l.startsWith("<module>"))
                .map(l -> l.replace("<module>", "").replace("</module>", "")).toList()) {
            assertThat(build).as("the build stage copies module %s", module).contains("COPY " + module + " " + module);
        }
    }

    @Test
    void keepsBuildOutputAndLocalDataOutOfTheContext() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains("**/target/", "data/", ".git/");
    }
}
