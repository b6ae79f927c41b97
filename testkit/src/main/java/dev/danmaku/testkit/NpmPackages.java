package dev.danmaku.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Packages from the npm registry, for tests that load the real thing into Chromium (web players):
 * {@code npm pack} fetches each tarball, which is unpacked under {@code dir/<name>/}. Fetched once
 * per directory; npm must be installed (Debian: {@code apt-get install npm}).
 */
public final class NpmPackages {

    private NpmPackages() {
    }

    /** Unpacks each {@code name@version} to {@code into/name/package/...}; returns {@code into}, absolute. */
    public static Path fetch(Path into, String... specs) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(into).toAbsolutePath();
        List<String> missing = new ArrayList<>();
        for (String spec : specs) {
            if (!Files.isDirectory(dir.resolve(name(spec)).resolve("package"))) {
                missing.add(spec);
            }
        }
        if (missing.isEmpty()) {
            return dir;
        }
        Path tarballs = Files.createTempDirectory(dir, "packing");
        List<String> pack = new ArrayList<>(List.of("npm", "pack", "--pack-destination", tarballs.toString()));
        pack.addAll(missing);
        run(pack, dir, "npm pack " + missing + " (is npm installed? apt-get install npm)");
        for (String spec : missing) {
            Path target = Files.createDirectories(dir.resolve(name(spec)));
            try (var found = Files.list(tarballs)) {
                Path tarball = found.filter(p -> p.getFileName().toString().startsWith(name(spec).replace('/', '-')
                                .replace("@", "") + "-" + spec.substring(spec.lastIndexOf('@') + 1) + ".tgz"))
                        .findFirst().orElseThrow(() -> new IOException("npm pack left no tarball of " + spec));
                run(List.of("tar", "xzf", tarball.toString(), "-C", target.toString()), dir, "unpacking " + tarball);
                Files.delete(tarball);
            }
        }
        Files.delete(tarballs);
        return dir;
    }

    private static String name(String spec) {
        return spec.substring(0, spec.lastIndexOf('@'));
    }

    private static void run(List<String> command, Path dir, String what) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(what + " failed: " + output.strip());
        }
    }
}
