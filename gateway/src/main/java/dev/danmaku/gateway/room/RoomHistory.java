package dev.danmaku.gateway.room;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.danmaku.proto.v1.Danmaku;

/**
 * What a room showed before this gateway followed it, read back from the bus, for a viewer who resumes
 * here after another gateway died or after this one let the room go.
 */
public interface RoomHistory {

    /**
     * The danmaku the room showed from about {@code sinceMillis} up to the bus's end as it is when
     * the read begins, oldest first, recalled ones left out. Fails when that end cannot be reached.
     */
    CompletableFuture<List<Danmaku>> since(String roomId, long sinceMillis);

    /** How long an answer may take at most, when the bus answers at all. */
    Duration longestAnswer();

    /** For a gateway that does not read history back: every resume outside the room's recent list fails. */
    RoomHistory NONE = new RoomHistory() {
        @Override
        public CompletableFuture<List<Danmaku>> since(String roomId, long sinceMillis) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("no room history"));
        }

        @Override
        public Duration longestAnswer() {
            return Duration.ZERO;
        }
    };
}
