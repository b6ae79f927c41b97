package dev.danmaku.common.auth;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Who a verified token speaks for, until when. A moderator whose token lists {@code rooms} moderates
 * those rooms only; without the claim, every room. Acts on every room at once (global rules, bulk
 * import, global mutes) are for admins.
 */
public record Identity(String userId, String name, Set<String> roles, Set<String> rooms, Instant expiresAt) {

    public static final String VIEWER = "viewer";
    public static final String MODERATOR = "moderator";
    public static final String ANALYST = "analyst";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL_ROLES = Set.of(VIEWER, MODERATOR, ANALYST, ADMIN);

    public Identity {
        roles = Set.copyOf(roles);
        rooms = Set.copyOf(rooms);
    }

    /** Roles that may send danmaku. */
    public static final Set<String> SENDERS = Set.of(VIEWER, MODERATOR, ADMIN);

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public boolean hasAnyRole(Collection<String> wanted) {
        return wanted.stream().anyMatch(roles::contains);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    /** Whether this identity may act as a moderator in a room: an admin, or a moderator whose scope holds it. */
    public boolean moderates(String roomId) {
        return isAdmin() || (roles.contains(MODERATOR) && (rooms.isEmpty() || rooms.contains(roomId)));
    }

    /** The roles that count in one room: a scoped moderator is no moderator outside its rooms. */
    public Set<String> rolesIn(String roomId) {
        if (!roles.contains(MODERATOR) || moderates(roomId)) {
            return roles;
        }
        Set<String> inRoom = new HashSet<>(roles);
        inRoom.remove(MODERATOR);
        return Set.copyOf(inRoom);
    }
}
