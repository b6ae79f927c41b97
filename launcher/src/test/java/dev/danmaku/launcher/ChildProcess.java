package dev.danmaku.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.danmaku.testkit.ChildJvm;

/** A `danmaku` command in a child JVM (the test classpath), for tests that kill or stop a process. */
record ChildProcess(Process process, String readyLine) implements AutoCloseable {

    /** Starts {@code danmaku args...} and waits until a line of its output matches {@code ready}. */
    static ChildProcess start(Map<String, String> env, Pattern ready, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(List.of(), Danmaku.class, args)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> readyLine = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.append(line).append('\n');
                    if (ready.matcher(line).find()) {
                        readyLine.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            readyLine.completeExceptionally(new AssertionError("`danmaku " + String.join(" ", args)
                    + "` ended before it was ready:\n" + output));
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return new ChildProcess(process, readyLine.orTimeout(90, TimeUnit.SECONDS).join());
    }

    /** The first group of {@code pattern} in the ready line (a port, say). */
    int number(Pattern pattern) {
        Matcher matcher = pattern.matcher(readyLine);
        if (!matcher.find()) {
            throw new AssertionError("no " + pattern + " in: " + readyLine);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** SIGKILL, and wait for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
