package dev.danmaku.filter.admin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleKind;

/**
 * Caps on the rule set, checked before a change is written: every instance compiles every rule, so
 * an unbounded set is an outage waiting for a bulk import.
 */
final class RuleLimits {

    static final int MAX_RULES = 100_000;
    static final int MAX_REGEX_RULES = 500;
    static final int MAX_RULES_PER_ROOM = 10_000;

    private RuleLimits() {
    }

    /** Refuses (409) when the rules, with {@code changed} put in by id, would pass a cap. */
    static void check(Map<String, KeywordRule> current, List<KeywordRule> changed) throws ApiException {
        Map<String, KeywordRule> after = new HashMap<>(current);
        changed.forEach(rule -> after.put(rule.getId(), rule));
        if (after.size() > MAX_RULES) {
            throw limit("at most " + MAX_RULES + " rules in all; this change would make " + after.size());
        }
        long regexes = after.values().stream().filter(rule -> rule.getKind() == RuleKind.REGEX).count();
        if (regexes > MAX_REGEX_RULES) {
            throw limit("at most " + MAX_REGEX_RULES + " regex rules; this change would make " + regexes);
        }
        Map<String, Integer> perRoom = new HashMap<>();
        for (KeywordRule rule : after.values()) {
            if (!rule.getRoomId().isEmpty()) {
                int count = perRoom.merge(rule.getRoomId(), 1, Integer::sum);
                if (count > MAX_RULES_PER_ROOM) {
                    throw limit("at most " + MAX_RULES_PER_ROOM + " rules for one room; room " + rule.getRoomId()
                            + " would have more");
                }
            }
        }
    }

    private static ApiException limit(String detail) {
        return new ApiException(409, detail + "; delete rules first");
    }
}
