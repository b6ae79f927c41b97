package dev.danmaku.filter.admin;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleKind;

class RuleLimitsTest {

    private static KeywordRule rule(String id, RuleKind kind, String room) {
        return KeywordRule.newBuilder().setId(id).setPattern("p" + id).setKind(kind).setRoomId(room).build();
    }

    private static Map<String, KeywordRule> rules(int count, RuleKind kind, String room) {
        Map<String, KeywordRule> rules = new HashMap<>();
        for (int i = 0; i < count; i++) {
            rules.put(room + kind + i, rule(room + kind + i, kind, room));
        }
        return rules;
    }

    @Test
    void refusesTheRegexRuleOverTheCapButNotAnUpdateOfOneThatExists() {
        Map<String, KeywordRule> current = rules(RuleLimits.MAX_REGEX_RULES, RuleKind.REGEX, "");

        assertThatThrownBy(() -> RuleLimits.check(current, List.of(rule("new", RuleKind.REGEX, ""))))
                .isInstanceOf(ApiException.class).hasMessageContaining("at most 500 regex rules");
        assertThatCode(() -> RuleLimits.check(current, List.of(rule("REGEX0", RuleKind.REGEX, "room")))).doesNotThrowAnyException();
        assertThatCode(() -> RuleLimits.check(current, List.of(rule("new", RuleKind.LITERAL, "")))).doesNotThrowAnyException();
    }

    @Test
    void refusesARoomOverItsCapAndTheWholeOverTheTotal() {
        Map<String, KeywordRule> room = rules(RuleLimits.MAX_RULES_PER_ROOM, RuleKind.LITERAL, "busy");

        assertThatThrownBy(() -> RuleLimits.check(room, List.of(rule("one-more", RuleKind.LITERAL, "busy"))))
                .hasMessageContaining("room busy");
        assertThatCode(() -> RuleLimits.check(room, List.of(rule("elsewhere", RuleKind.LITERAL, "quiet"))))
                .doesNotThrowAnyException();
        Map<String, KeywordRule> full = rules(RuleLimits.MAX_RULES, RuleKind.LITERAL, "");
        assertThatThrownBy(() -> RuleLimits.check(full, List.of(rule("last", RuleKind.LITERAL, ""))))
                .hasMessageContaining("at most 100000 rules in all");
    }
}
