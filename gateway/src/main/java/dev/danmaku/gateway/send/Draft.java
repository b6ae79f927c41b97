package dev.danmaku.gateway.send;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;

/**
 * A danmaku as a viewer asked for it, before it has a msgId: the same checks whichever way it came in
 * (a viewer's WebSocket, a player's HTTP API), so no way in is looser than another.
 *
 * @param text already stripped of surrounding blanks
 * @param color 0xRRGGBB, 0 for white
 * @param fontSize 0 for the default
 */
public record Draft(String roomId, String text, int color, Mode mode, int fontSize, long videoOffsetMs) {

    /** Why a draft may not be sent: a refusal to acknowledge (with a reason) or a malformed request (a code). */
    public record Fault(String code, String message, Reason reason) {

        static Fault refusal(Reason reason, String message) {
            return new Fault("refused", message, reason);
        }

        static Fault badRequest(String code, String message) {
            return new Fault(code, message, null);
        }

        public boolean refusal() {
            return reason != null;
        }
    }

    /** Null when the draft may be sent. */
    public Fault check(int maxTextLength) {
        if (text.isEmpty()) {
            return Fault.badRequest("empty_text", "text must not be empty");
        }
        if (text.codePointCount(0, text.length()) > maxTextLength) {
            return Fault.refusal(Reason.TOO_LONG, "text: at most " + maxTextLength + " characters");
        }
        // uint32 on the wire: compared unsigned, so 2^31 and above are not taken for negative numbers
        if (Integer.compareUnsigned(color, 0xFFFFFF) > 0) {
            return Fault.badRequest("bad_request", "color is 0xRRGGBB");
        }
        if (Integer.compareUnsigned(fontSize, 128) > 0) {
            return Fault.badRequest("bad_request", "fontSize: 0 (default) to 128");
        }
        if (mode == Mode.UNRECOGNIZED) {
            return Fault.badRequest("bad_request", "mode: SCROLL, TOP or BOTTOM");
        }
        if (videoOffsetMs < 0) {
            return Fault.badRequest("bad_request", "videoOffsetMs must not be negative");
        }
        return null;
    }

    /** The danmaku as the filter and the room will see it, stamped by this gateway. */
    public Danmaku toDanmaku(String msgId, Identity sender) {
        return Danmaku.newBuilder()
                .setMsgId(msgId)
                .setRoomId(roomId)
                .setUserId(sender.userId())
                .setUserName(sender.name())
                .setText(text)
                .setColor(color == 0 ? 0xFFFFFF : color)
                .setMode(mode == Mode.MODE_UNSPECIFIED ? Mode.SCROLL : mode)
                .setFontSize(fontSize)
                .setSentAtMs(System.currentTimeMillis())
                .setVideoOffsetMs(videoOffsetMs)
                .build();
    }
}
