package dev.danmaku.filter.matching;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.hankcs.algorithm.AhoCorasickDoubleArrayTrie;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleKind;

/**
 * Finds every rule that matches a normalized text: literal rules through one Aho-Corasick automaton
 * (one pass over the text, whatever the number of rules), regex rules through RE2/J, which runs in
 * time linear in the text so no pattern can stall the pipeline. Global rules apply to every room,
 * a room's rules only to it. Immutable; rebuilt when the rule set changes.
 */
public final class KeywordMatcher {

    public static final int MAX_PATTERN_LENGTH = 200;
    private static final TextNormalizer NORMALIZER = new TextNormalizer();

    private final RuleGroup global;
    private final Map<String, RuleGroup> rooms;
    private final int ruleCount;

    private KeywordMatcher(RuleGroup global, Map<String, RuleGroup> rooms, int ruleCount) {
        this.global = global;
        this.rooms = rooms;
        this.ruleCount = ruleCount;
    }

    public static KeywordMatcher empty() {
        return build(List.of());
    }

    /** Compiles the rules; a rule that does not compile is left out (rules are validated before they are stored). */
    public static KeywordMatcher build(Collection<KeywordRule> rules) {
        Map<String, List<KeywordRule>> byRoom = new HashMap<>();
        for (KeywordRule rule : rules) {
            byRoom.computeIfAbsent(rule.getRoomId(), room -> new ArrayList<>()).add(rule);
        }
        RuleGroup global = RuleGroup.of(byRoom.getOrDefault("", List.of()));
        Map<String, RuleGroup> rooms = new HashMap<>();
        byRoom.forEach((room, roomRules) -> {
            if (!room.isEmpty()) {
                rooms.put(room, RuleGroup.of(roomRules));
            }
        });
        return new KeywordMatcher(global, rooms, rules.size());
    }

    /** Checks that a rule compiles; the message says what is wrong. */
    public static void validate(KeywordRule rule) throws InvalidRuleException {
        String pattern = rule.getPattern();
        if (pattern.isBlank()) {
            throw new InvalidRuleException("pattern must not be empty");
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new InvalidRuleException("pattern is longer than " + MAX_PATTERN_LENGTH + " characters");
        }
        if (rule.getKind() == RuleKind.REGEX) {
            try {
                Pattern compiled = Pattern.compile(pattern, Pattern.CASE_INSENSITIVE);
                if (compiled.matcher("").matches()) {
                    throw new InvalidRuleException("regex \"" + pattern + "\" matches the empty text, so it would match everything");
                }
            } catch (PatternSyntaxException e) {
                throw new InvalidRuleException("malformed regex: " + e.getMessage());
            }
        } else if (NORMALIZER.normalizePattern(pattern).isEmpty()) {
            throw new InvalidRuleException("pattern \"" + pattern + "\" has no letters or digits to match");
        }
    }

    /** Every match in a room; empty when none. */
    public List<Match> find(NormalizedText text, String roomId) {
        List<Match> matches = new ArrayList<>(0);
        global.find(text, matches);
        RuleGroup room = rooms.get(roomId);
        if (room != null) {
            room.find(text, matches);
        }
        return matches;
    }

    public int ruleCount() {
        return ruleCount;
    }

    /** The compiled rules of one scope (global, or one room). */
    private record RuleGroup(AhoCorasickDoubleArrayTrie<KeywordRule[]> literals, boolean hasLiterals,
            List<CompiledRegex> regexes) {

        static RuleGroup of(List<KeywordRule> rules) {
            TreeMap<String, List<KeywordRule>> literals = new TreeMap<>();
            List<CompiledRegex> regexes = new ArrayList<>();
            for (KeywordRule rule : rules) {
                if (rule.getKind() == RuleKind.REGEX) {
                    try {
                        regexes.add(new CompiledRegex(rule, Pattern.compile(rule.getPattern(), Pattern.CASE_INSENSITIVE)));
                    } catch (PatternSyntaxException e) {
                        // validated on the way in; a record written by hand is skipped rather than stopping the filter
                    }
                } else {
                    String normalized = NORMALIZER.normalizePattern(rule.getPattern());
                    if (!normalized.isEmpty()) {
                        literals.computeIfAbsent(normalized, key -> new ArrayList<>(1)).add(rule);
                    }
                }
            }
            AhoCorasickDoubleArrayTrie<KeywordRule[]> trie = new AhoCorasickDoubleArrayTrie<>();
            TreeMap<String, KeywordRule[]> keyed = new TreeMap<>();
            literals.forEach((key, value) -> keyed.put(key, value.toArray(KeywordRule[]::new)));
            if (!keyed.isEmpty()) {
                trie.build(keyed);
            }
            return new RuleGroup(trie, !keyed.isEmpty(), List.copyOf(regexes));
        }

        void find(NormalizedText text, List<Match> into) {
            if (hasLiterals) {
                literals.parseText(text.text(), (begin, end, rules) -> {
                    for (KeywordRule rule : rules) {
                        if (!rule.getWholeWord() || isCjk(rule) || text.isWholeWord(begin, end)) {
                            into.add(new Match(rule, begin, end));
                        }
                    }
                });
            }
            for (CompiledRegex regex : regexes) {
                Matcher matcher = regex.pattern().matcher(text.text());
                while (matcher.find()) {
                    if (matcher.end() > matcher.start()
                            && (!regex.rule().getWholeWord() || text.isWholeWord(matcher.start(), matcher.end()))) {
                        into.add(new Match(regex.rule(), matcher.start(), matcher.end()));
                    }
                }
            }
        }

        /** Whole-word matching is for scripts that separate words with spaces. */
        private static boolean isCjk(KeywordRule rule) {
            return rule.getPattern().codePoints().anyMatch(cp -> {
                Character.UnicodeScript script = Character.UnicodeScript.of(cp);
                return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                        || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
            });
        }
    }

    private record CompiledRegex(KeywordRule rule, Pattern pattern) {
    }
}
