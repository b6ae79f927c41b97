package dev.danmaku.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Who connects where, the same plan as the Socket.IO peer's load generator so rows line up:
 * connection {@code g = room * perRoom + j}; the first {@code sendersPerRoom} of a room send;
 * gateways round-robin by {@code g}.
 */
record Plan(int rooms, int viewersPerRoom, int sendersPerRoom, int servers) {

    /** Sender ids are {@code senderIndex * ID_MULTIPLIER + sequence}, as in the peer. */
    static final long ID_MULTIPLIER = 10_000_000L;

    record Connection(int global, int roomIndex, int server, int senderIndex) {
        boolean sender() {
            return senderIndex >= 0;
        }

        String room() {
            return "r" + roomIndex;
        }

        String user() {
            return (sender() ? "s" : "v") + global;
        }
    }

    int perRoom() {
        return viewersPerRoom + sendersPerRoom;
    }

    int connections() {
        return rooms * perRoom();
    }

    int senders() {
        return rooms * sendersPerRoom;
    }

    /** The gateway a sender is connected to, by its global sender index. */
    int serverOfSender(int senderIndex) {
        int room = senderIndex / sendersPerRoom;
        return (room * perRoom() + senderIndex % sendersPerRoom) % servers;
    }

    List<Connection> connectionList() {
        List<Connection> list = new ArrayList<>(connections());
        for (int room = 0; room < rooms; room++) {
            for (int j = 0; j < perRoom(); j++) {
                int global = room * perRoom() + j;
                boolean sender = j < sendersPerRoom;
                list.add(new Connection(global, room, global % servers, sender ? room * sendersPerRoom + j : -1));
            }
        }
        return list;
    }
}
