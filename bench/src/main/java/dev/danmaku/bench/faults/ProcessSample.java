package dev.danmaku.bench.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One look at a running process: what stays on its heap after a full garbage collection (asked of
 * the JVM with jcmd; -1 when it cannot say), its threads, open files and resident memory (from
 * /proc). A leak shows as one of these growing across a soak.
 */
record ProcessSample(long atSeconds, String service, double liveHeapMb, int threads, int openFiles, long residentMb) {

    /** Null when the process is gone. */
    static ProcessSample of(long atSeconds, String service, long pid) {
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
            return new ProcessSample(atSeconds, service, liveHeapMb(pid), threads, openFiles, residentKb / 1024);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The heap in use right after a full collection. (The JVM's {@code jvm_gc_live_data_size_bytes}
     * stays 0 until G1 collects the old generation, which a soak's heap may never need: the first
     * soak read 0 for every process.)
     */
    private static double liveHeapMb(long pid) {
        try {
            run("jcmd", Long.toString(pid), "GC.run");
            return usedKb(run("jcmd", Long.toString(pid), "GC.heap_info")) / 1024.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The "used" of every heap line of {@code GC.heap_info}: G1's one, or each generation's; -1 without any. */
    static long usedKb(String heapInfo) {
        Matcher used = USED.matcher(heapInfo);
        long total = -1;
        while (used.find()) {
            total = Math.max(total, 0) + Long.parseLong(used.group(1));
        }
        return total;
    }

    private static final Pattern USED = Pattern.compile("(?m)^ \\S.*?total \\d+K, used (\\d+)K");

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }
}
