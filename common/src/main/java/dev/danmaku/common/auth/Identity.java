package dev.danmaku.common.auth;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/** Who a verified token speaks for, until when. */
public record Identity(String userId, String name, Set<String> roles, Instant expiresAt) {

    public static final String VIEWER = "viewer";
    public static final String MODERATOR = "moderator";
    public static final String ANALYST = "analyst";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL_ROLES = Set.of(VIEWER, MODERATOR, ANALYST, ADMIN);

    public Identity {
        roles = Set.copyOf(roles);
    }

    /** Roles that may send danmaku. */
    public static final Set<String> SENDERS = Set.of(VIEWER, MODERATOR, ADMIN);

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public boolean hasAnyRole(Collection<String> wanted) {
        return wanted.stream().anyMatch(roles::contains);
    }
}
