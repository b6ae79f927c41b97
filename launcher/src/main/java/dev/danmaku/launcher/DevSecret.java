package dev.danmaku.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The token secret of a {@code dev} data directory: random, made on first start and kept in
 * {@code jwt-secret} (owner-only), so tokens survive a restart and no two laptops share one.
 */
final class DevSecret {

    static final String FILE = "jwt-secret";

    private DevSecret() {
    }

    static String of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                byte[] random = new byte[48];
                new SecureRandom().nextBytes(random);
                create(file, Base64.getEncoder().encodeToString(random));
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the dev token secret in " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file, String secret) throws IOException {
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, secret, StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException startedTwice) {
            // another dev on the same directory made it first: use theirs
        }
    }
}
