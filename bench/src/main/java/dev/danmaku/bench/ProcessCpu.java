package dev.danmaku.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU use read from /proc, as the peer's load generator reads it: ticks of chosen processes, of
 * the whole machine (busy, steal, irq) and of every other process, so a run states its own noise.
 */
final class ProcessCpu {

    static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    record Machine(long total, long idle, long irq, long steal) {
    }

    record Sample(long nanos, Machine machine, Map<Long, Long> ticksByPid, Map<Long, String> names) {
    }

    private ProcessCpu() {
    }

    static Sample sample() {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                long pid = Long.parseLong(p.getFileName().toString());
                String stat = read(p.resolve("stat"));
                if (stat != null) {
                    ticks.put(pid, ticksOf(stat));
                    names.put(pid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                }
            });
        } catch (IOException e) {
            // no /proc: CPU figures stay empty
        }
        return new Sample(System.nanoTime(), machine(), ticks, names);
    }

    /** Peak resident set (VmHWM) in KiB, or -1 when the process is gone. */
    static long peakRssKb(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return -1;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Percent of one core a process used between two samples; -1 when unknown. */
    static double percent(Sample from, Sample to, long pid) {
        Long a = from.ticksByPid().get(pid);
        Long b = to.ticksByPid().get(pid);
        return a == null || b == null ? -1 : round1(100.0 * (b - a) / TICKS_PER_SECOND / seconds(from, to));
    }

    static double seconds(Sample from, Sample to) {
        return (to.nanos() - from.nanos()) / 1e9;
    }

    static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static long ticksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    private static Machine machine() {
        String stat = read(Path.of("/proc/stat"));
        if (stat == null) {
            return new Machine(0, 0, 0, 0);
        }
        List<Long> f = Stream.of(stat.substring(0, stat.indexOf('\n')).trim().split("\\s+")).skip(1).limit(8)
                .map(Long::parseLong).toList();
        long total = f.stream().mapToLong(Long::longValue).sum();
        return new Machine(total, f.get(3) + f.get(4), f.get(5) + f.get(6), f.get(7));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
