package dev.danmaku.launcher;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One {@code dev} platform with two gateways, shared by every test of a class (each test uses its own room). */
abstract class TwoDevGateways {

    @TempDir
    static Path dataDir;
    static DevPlatform platform;
    /** Base URLs of the two gateways. */
    static String first;
    static String second;

    @BeforeAll
    static void startPlatform() {
        // the archive's player API on, as a site whose DPlayer reads danmaku itself has it
        platform = DevPlatforms.start(dataDir, 2, java.util.Map.of("DANMAKU_ARCHIVE_PLAYER_API", "true"));
        first = "http://127.0.0.1:" + platform.ports().get(0);
        second = "http://127.0.0.1:" + platform.ports().get(1);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
            platform = null;
        }
    }
}
