package dev.danmaku.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry drives following and releasing rooms through its port; the feed never reads the registry. */
class RoomRegistryTest {

    private final Broadcaster broadcaster = new Broadcaster("gw-test", 1);
    private final RoomRegistry registry = new RoomRegistry(new Room.RoomSettings(10, 60_000, 0, 64 * 1024), broadcaster,
            new RoomMetrics(new SimpleMeterRegistry(), "gw-test"), RoomHistory.NONE);
    /** What the registry asked of the feed, in order. */
    private final List<String> asked = new ArrayList<>();
    private final CompletableFuture<Void> following = new CompletableFuture<>();

    RoomRegistryTest() {
        registry.followThrough(new RoomFollowing() {
            @Override
            public CompletableFuture<Void> follow(String roomId, boolean newRoom) {
                asked.add("follow " + roomId + (newRoom ? " new" : ""));
                return following;
            }

            @Override
            public void release(String roomId) {
                asked.add("release " + roomId);
            }
        });
    }

    @AfterEach
    void tearDown() {
        broadcaster.close();
    }

    @Test
    void eachReserveFollowsItsRoomAndHandsOnWhenItIsFollowed() {
        RoomRegistry.Reserved first = registry.reserve("r1");
        RoomRegistry.Reserved second = registry.reserve("r1");

        assertThat(asked).containsExactly("follow r1 new", "follow r1");
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.room()).isSameAs(first.room());
        assertThat(first.followed()).isNotDone();
        following.complete(null);
        assertThat(first.followed()).isDone();
    }

    @Test
    void aRoomIsReleasedOnceItIsSweptAndNotWhileAJoinHoldsIt() {
        RoomRegistry.Reserved held = registry.reserve("held");
        RoomRegistry.Reserved left = registry.reserve("left");
        left.room().cancelReservation();

        registry.sweepEmptyRooms(-60_000);

        assertThat(asked).containsExactly("follow held new", "follow left new", "release left");
        assertThat(registry.room("left")).isEmpty();
        assertThat(registry.room("held")).containsSame(held.room());
        registry.reserve("left");
        assertThat(asked).endsWith("follow left new");
    }
}
