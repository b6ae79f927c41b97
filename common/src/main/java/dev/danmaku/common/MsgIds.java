package dev.danmaku.common;

import java.util.OptionalLong;
import java.util.UUID;

/** What a msgId tells about its time: gateways stamp UUIDv7 ids, whose first 48 bits are epoch milliseconds. */
public final class MsgIds {

    private MsgIds() {
    }

    /** When the gateway accepted it, or empty for an id that is not a UUIDv7. */
    public static OptionalLong epochMillis(String msgId) {
        if (msgId.length() != 36) {
            return OptionalLong.empty();
        }
        try {
            UUID uuid = UUID.fromString(msgId);
            return uuid.version() == 7 ? OptionalLong.of(uuid.getMostSignificantBits() >>> 16) : OptionalLong.empty();
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }
}
