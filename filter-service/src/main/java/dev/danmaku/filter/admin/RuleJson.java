package dev.danmaku.filter.admin;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.danmaku.common.RoomIds;
import dev.danmaku.filter.matching.InvalidRuleException;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.moderation.Categories;
import dev.danmaku.proto.v1.Category;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/** Keyword rules as the API reads and writes them (DESIGN §5). */
final class RuleJson {

    static final int MAX_NOTE_LENGTH = 500;
    private static final Set<String> FIELDS = Set.of("id", "pattern", "action", "kind", "roomId", "wholeWord", "note",
            "category", "alternatives", "createdAtMs", "updatedAtMs", "updatedBy", "source");
    static final String ACTIONS = "REJECT, MASK, SHADOW or ALLOW";

    /** A rule's parts as sent, before validation; null parts take their defaults. */
    record Fields(String action, String kind, String roomId, Boolean wholeWord, String note, String category,
            List<String> alternatives) {
    }

    /** Alternatives in one CSV cell or query parameter. */
    static final String ALTERNATIVES_SEPARATOR = "|";

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
        json.put("category", category(rule));
        json.put("alternatives", rule.getAlternativesList());
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
                        + " wholeWord, note, category, alternatives");
            }
        }
        JsonNode pattern = body.get("pattern");
        if (pattern == null || !pattern.isTextual()) {
            throw ApiException.badRequest("pattern: a string is required");
        }
        return rule(pattern.asText(), new Fields(text(body, "action"), text(body, "kind"), text(body, "roomId"),
                bool(body, "wholeWord"), text(body, "note"), text(body, "category"), strings(body, "alternatives")));
    }

    /** Builds and validates a rule from its parts. */
    static KeywordRule.Builder rule(String pattern, Fields fields) throws ApiException {
        KeywordRule.Builder rule = KeywordRule.newBuilder()
                .setPattern(pattern.strip())
                .setAction(action(fields.action()))
                .setKind(kind(fields.kind()))
                .setWholeWord(fields.wholeWord() != null && fields.wholeWord())
                .setCategory(category(fields.category()));
        if (fields.alternatives() != null) {
            fields.alternatives().stream().map(String::strip).filter(a -> !a.isEmpty()).forEach(rule::addAlternatives);
        }
        if (fields.roomId() != null && !fields.roomId().isEmpty()) {
            rule.setRoomId(roomId(fields.roomId()));
        }
        if (fields.note() != null) {
            if (fields.note().length() > MAX_NOTE_LENGTH) {
                throw ApiException.badRequest("note: at most " + MAX_NOTE_LENGTH + " characters");
            }
            rule.setNote(fields.note());
        }
        try {
            KeywordMatcher.validate(rule.build());
        } catch (InvalidRuleException e) {
            throw ApiException.badRequest("pattern: " + e.getMessage());
        }
        return rule;
    }

    static String roomId(String roomId) throws ApiException {
        if (!RoomIds.isValid(roomId)) {
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
            case "ALLOW" -> RuleAction.ALLOW;
            default -> throw ApiException.badRequest("action: " + ACTIONS + ", got \"" + action + "\"");
        };
    }

    /** The category names the API takes and gives ({@link Categories}). */
    static Category category(String category) throws ApiException {
        if (category == null || category.isBlank()) {
            return Category.CATEGORY_UNSPECIFIED;
        }
        return Categories.parse(category).orElseThrow(() -> ApiException.badRequest("category: one of "
                + String.join(", ", Categories.names()) + ", got \"" + category + "\""));
    }

    static String category(KeywordRule rule) {
        return categoryName(rule.getCategory());
    }

    /** The API's name of a category; null for none. */
    static String categoryName(Category category) {
        return Categories.ALL.contains(category) ? Categories.nameOf(category) : null;
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

    static List<String> strings(JsonNode body, String field) throws ApiException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    break;
                }
                strings.add(item.asText());
            }
            if (strings.size() == value.size()) {
                return strings;
            }
        }
        throw ApiException.badRequest(field + ": an array of strings is expected");
    }

    /** "a|b|c" as a list; null for null or blank. */
    static List<String> split(String joined) {
        return joined == null || joined.isBlank() ? null
                : List.of(joined.split(Pattern.quote(ALTERNATIVES_SEPARATOR)));
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
