package dev.danmaku.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM running a main class of this test's classpath: for tests that kill processes. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** {@code java <jvmOptions> -cp <this classpath> <main> <args>} with this JVM's java binary. */
    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }
}
