package dev.danmaku.archiver.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.danmaku.common.RoomIds;
import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.RoomQuery;

/**
 * The analyst API's query parameters, read and checked. Every problem is an
 * {@link IllegalArgumentException} whose message names the parameter and what it accepts.
 */
final class QueryParams {

    private static final int MAX_USER_ID = 128;
    private static final int MAX_TEXT_FRAGMENT = 200;

    private final Map<String, Deque<String>> values;

    QueryParams(Map<String, Deque<String>> values) {
        this.values = values;
    }

    String room() {
        return room("room");
    }

    /** A room id given as {@code name}. */
    String room(String name) {
        String room = string(name);
        if (room == null || !RoomIds.isValid(room)) {
            throw new IllegalArgumentException(name + ": " + RoomIds.RULE);
        }
        return room;
    }

    /** from/to, user, text, verdict: which danmaku of the room. */
    ArchiveFilter filter() {
        String room = room();
        long from = time("from", 0);
        long to = time("to", Long.MAX_VALUE);
        if (from >= to) {
            throw new IllegalArgumentException("from must be before to");
        }
        String user = string("user");
        if (user != null && user.length() > MAX_USER_ID) {
            throw new IllegalArgumentException("user: a user id of at most " + MAX_USER_ID + " characters");
        }
        String text = string("text");
        if (text != null && text.length() > MAX_TEXT_FRAGMENT) {
            throw new IllegalArgumentException("text: a fragment of at most " + MAX_TEXT_FRAGMENT + " characters");
        }
        return new ArchiveFilter(room, from, to, verdicts(), user, text);
    }

    RoomQuery roomQuery(int defaultLimit, int maxLimit) {
        ArchiveFilter filter = filter();
        int limit = integer("limit", defaultLimit, 1, maxLimit);
        String cursor = string("cursor");
        return new RoomQuery(filter, limit, cursor == null ? null : decodeCursor(cursor));
    }

    private Set<String> verdicts() {
        Set<String> verdicts = new LinkedHashSet<>();
        String param = string("verdict");
        if (param != null) {
            for (String verdict : param.split(",")) {
                String name = verdict.trim().toUpperCase();
                if (!ArchiveStore.VERDICTS.contains(name)) {
                    throw new IllegalArgumentException("verdict: one or more of " + ArchiveStore.VERDICTS_AS_TEXT
                            + ", comma-separated; got \"" + verdict + "\"");
                }
                verdicts.add(name);
            }
        }
        return verdicts;
    }

    /** Epoch milliseconds or an ISO-8601 instant. */
    long time(String name, long absent) {
        String value = string(name);
        if (value == null) {
            return absent;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return longValue(name, absent, 0, Long.MAX_VALUE);
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": epoch milliseconds or an ISO-8601 instant such as"
                    + " 2026-01-31T20:00:00Z, got \"" + value + "\"");
        }
    }

    int integer(String name, int absent, int min, int max) {
        return (int) longValue(name, absent, min, max);
    }

    long longValue(String name, long absent, long min, long max) {
        String value = string(name);
        if (value == null) {
            return absent;
        }
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": a whole number " + min + "-" + max + ", got \"" + value + "\"");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(name + ": a whole number " + min + "-" + max + ", got " + number);
        }
        return number;
    }

    double decimal(String name, double absent, double min, double max) {
        String value = string(name);
        if (value == null) {
            return absent;
        }
        double number;
        try {
            number = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            number = Double.NaN;
        }
        if (!(number >= min && number <= max)) {
            throw new IllegalArgumentException(name + ": a number " + min + "-" + max + ", got \"" + value + "\"");
        }
        return number;
    }

    boolean bool(String name, boolean absent) {
        String value = string(name);
        if (value == null) {
            return absent;
        }
        return switch (value.toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + ": true or false, got \"" + value + "\"");
        };
    }

    /** One of the allowed words, lower case. */
    String choice(String name, String absent, Set<String> allowed) {
        String value = string(name);
        if (value == null) {
            return absent;
        }
        String lower = value.toLowerCase();
        if (!allowed.contains(lower)) {
            throw new IllegalArgumentException(name + ": one of " + String.join(", ", allowed.stream().sorted().toList())
                    + ", got \"" + value + "\"");
        }
        return lower;
    }

    String string(String name) {
        Deque<String> found = values.get(name);
        return found == null || found.isEmpty() || found.getFirst().isEmpty() ? null : found.getFirst();
    }

    static String encodeCursor(RoomQuery.Position position) {
        return encode(position.sentAtMs() + ":" + position.msgId());
    }

    static RoomQuery.Position decodeCursor(String cursor) {
        try {
            String decoded = decode(cursor);
            int colon = decoded.indexOf(':');
            return new RoomQuery.Position(Long.parseLong(decoded.substring(0, colon)), decoded.substring(colon + 1));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cursor: not a cursor this API returned");
        }
    }

    static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    }
}
