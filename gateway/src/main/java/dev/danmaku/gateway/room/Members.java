package dev.danmaku.gateway.room;

import java.util.Optional;

/** The open connections of this gateway, by session id: where the sender of a verdict is found. */
public interface Members {

    /** No connections at all (a gateway that serves only the player API, tests): senders are never found here. */
    Members NONE = sessionId -> Optional.empty();

    Optional<Member> member(String sessionId);
}
