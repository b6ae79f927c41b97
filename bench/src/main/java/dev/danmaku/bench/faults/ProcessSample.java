package dev.danmaku.bench.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * One look at a running process: what stays after garbage collection on its heap (the JVM's own
 * figure, from its Prometheus endpoint; -1 for the broker, which has none), its threads, open files
 * and resident memory (from /proc). A leak shows as one of these growing across a soak.
 */
record ProcessSample(long atSeconds, String service, double liveHeapMb, int threads, int openFiles, long residentMb) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Null when the process is gone. */
    static ProcessSample of(long atSeconds, String service, long pid, String metricsUrl) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            int threads = 0;
            long residentKb = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).strip());
                } else if (line.startsWith("VmRSS:")) {
                    residentKb = Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
            int openFiles;
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                openFiles = (int) fds.count();
            }
            return new ProcessSample(atSeconds, service, liveHeapMb(metricsUrl), threads, openFiles, residentKb / 1024);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code jvm_gc_live_data_size_bytes}: the old generation's size after the last collection of it. */
    private static double liveHeapMb(String metricsUrl) {
        if (metricsUrl == null) {
            return -1;
        }
        try {
            HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(metricsUrl))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofLines());
            return response.body().filter(line -> line.startsWith("jvm_gc_live_data_size_bytes"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum() / (1024 * 1024);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
