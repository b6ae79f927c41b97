package dev.danmaku.filter.admin;

import io.undertow.util.StatusCodes;

import dev.danmaku.common.auth.Identity;

/**
 * Where a staff member may change things: a moderator in the rooms its token lists (every room
 * without the claim); an admin anywhere, and alone on what spans every room.
 */
final class Scope {

    private Scope() {
    }

    /** Refuses (403) unless {@code who} moderates {@code roomId}; the empty room id means every room: admins only. */
    static void room(Identity who, String roomId, String what) throws ApiException {
        if (roomId.isEmpty()) {
            everyRoom(who, what + " for every room");
        } else if (!who.moderates(roomId)) {
            throw new ApiException(StatusCodes.FORBIDDEN, what + " in room " + roomId + ": your token moderates "
                    + (who.rooms().isEmpty() ? "no room" : "rooms " + String.join(", ", who.rooms().stream().sorted().toList())));
        }
    }

    /** Refuses (403) unless {@code who} is an admin. */
    static void everyRoom(Identity who, String what) throws ApiException {
        if (!who.isAdmin()) {
            throw new ApiException(StatusCodes.FORBIDDEN, what + " is for admins; a moderator acts in one room at a time");
        }
    }
}
