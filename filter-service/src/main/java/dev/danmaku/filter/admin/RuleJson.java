package dev.danmaku.filter.admin;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.danmaku.filter.matching.InvalidRuleException;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/** Keyword rules as the API reads and writes them (DESIGN §5). */
final class RuleJson {

    static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    static final int MAX_NOTE_LENGTH = 500;
    private static final Set<String> FIELDS = Set.of("id", "pattern", "action", "kind", "roomId", "wholeWord", "note",
            "createdAtMs", "updatedAtMs", "updatedBy", "source");

    private RuleJson() {
    }

    static Map<String, Object> toJson(KeywordRule rule, boolean fromConfig) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", rule.getId());
        json.put("pattern", rule.getPattern());
        json.put("action", rule.getAction() == RuleAction.RULE_ACTION_UNSPECIFIED ? "REJECT" : rule.getAction().name());
        json.put("kind", rule.getKind() == RuleKind.REGEX ? "REGEX" : "LITERAL");
        json.put("roomId", rule.getRoomId().isEmpty() ? null : rule.getRoomId());
        json.put("wholeWord", rule.getWholeWord());
        json.put("note", rule.getNote());
        json.put("createdAtMs", rule.getCreatedAtMs());
        json.put("updatedAtMs", rule.getUpdatedAtMs());
        json.put("updatedBy", rule.getUpdatedBy());
        json.put("source", fromConfig ? "config" : "api");
        return json;
    }

    /** Reads a rule's fields from a request body; id and timestamps are set by the caller. */
    static KeywordRule.Builder fromJson(JsonNode body) throws ApiException {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object like {\"pattern\": \"...\", \"action\": \"REJECT\"}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown field \"" + name + "\"; rules have pattern, action, kind, roomId,"
                        + " wholeWord, note");
            }
        }
        JsonNode pattern = body.get("pattern");
        if (pattern == null || !pattern.isTextual()) {
            throw ApiException.badRequest("pattern: a string is required");
        }
        return rule(pattern.asText(), text(body, "action"), text(body, "kind"), text(body, "roomId"),
                bool(body, "wholeWord"), text(body, "note"));
    }

    /** Builds and validates a rule from its parts; null parts take their defaults. */
    static KeywordRule.Builder rule(String pattern, String action, String kind, String roomId, Boolean wholeWord,
            String note) throws ApiException {
        KeywordRule.Builder rule = KeywordRule.newBuilder()
                .setPattern(pattern.strip())
                .setAction(action(action))
                .setKind(kind(kind))
                .setWholeWord(wholeWord != null && wholeWord);
        if (roomId != null && !roomId.isEmpty()) {
            rule.setRoomId(roomId(roomId));
        }
        if (note != null) {
            if (note.length() > MAX_NOTE_LENGTH) {
                throw ApiException.badRequest("note: at most " + MAX_NOTE_LENGTH + " characters");
            }
            rule.setNote(note);
        }
        try {
            KeywordMatcher.validate(rule.build());
        } catch (InvalidRuleException e) {
            throw ApiException.badRequest("pattern: " + e.getMessage());
        }
        return rule;
    }

    static String roomId(String roomId) throws ApiException {
        if (!ROOM_ID.matcher(roomId).matches()) {
            throw ApiException.badRequest("roomId: 1-64 letters, digits or . _ : -, got \"" + roomId + "\"");
        }
        return roomId;
    }

    static RuleAction action(String action) throws ApiException {
        if (action == null || action.isEmpty()) {
            return RuleAction.REJECT;
        }
        return switch (action.trim().toUpperCase(Locale.ROOT)) {
            case "REJECT" -> RuleAction.REJECT;
            case "MASK" -> RuleAction.MASK;
            case "SHADOW" -> RuleAction.SHADOW;
            default -> throw ApiException.badRequest("action: REJECT, MASK or SHADOW, got \"" + action + "\"");
        };
    }

    static RuleKind kind(String kind) throws ApiException {
        if (kind == null || kind.isEmpty()) {
            return RuleKind.LITERAL;
        }
        return switch (kind.trim().toUpperCase(Locale.ROOT)) {
            case "LITERAL" -> RuleKind.LITERAL;
            case "REGEX" -> RuleKind.REGEX;
            default -> throw ApiException.badRequest("kind: LITERAL or REGEX, got \"" + kind + "\"");
        };
    }

    static String text(JsonNode body, String field) throws ApiException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest(field + ": a string or null is expected");
        }
        return value.asText();
    }

    static Boolean bool(JsonNode body, String field) throws ApiException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw ApiException.badRequest(field + ": true or false is expected");
        }
        return value.asBoolean();
    }
}
