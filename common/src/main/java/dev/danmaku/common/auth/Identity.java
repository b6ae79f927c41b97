package dev.danmaku.common.auth;

import java.util.Collection;
import java.util.Set;

/** Who a verified token speaks for. */
public record Identity(String userId, String name, Set<String> roles) {

    public static final String VIEWER = "viewer";
    public static final String MODERATOR = "moderator";
    public static final String ANALYST = "analyst";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL_ROLES = Set.of(VIEWER, MODERATOR, ANALYST, ADMIN);

    public Identity {
        roles = Set.copyOf(roles);
    }

    public boolean hasAnyRole(Collection<String> wanted) {
        return wanted.stream().anyMatch(roles::contains);
    }
}
