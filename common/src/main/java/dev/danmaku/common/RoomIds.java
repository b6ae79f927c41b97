package dev.danmaku.common;

import java.util.regex.Pattern;

/** Room ids (DESIGN §4): 1–64 letters, digits or {@code . _ : -}, everywhere a room is named. */
public final class RoomIds {

    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    public static final String RULE = "1-64 letters, digits or . _ : -";

    private RoomIds() {
    }

    public static boolean isValid(String roomId) {
        return roomId != null && PATTERN.matcher(roomId).matches();
    }
}
