package dev.danmaku.filter.matching;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.hankcs.algorithm.AhoCorasickDoubleArrayTrie;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.filter.matching.TextNormalizer.View;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/**
 * Finds every rule that matches a text: literal rules through one Aho-Corasick automaton per view
 * (one pass over the text, whatever the number of rules), regex rules through RE2/J, which runs in
 * time linear in the text so no pattern can stall the pipeline. Global rules apply to every room,
 * a room's rules only to it. ALLOW rules are exemptions: over the spans of the text as sent, the
 * leftmost match wins, the longest of those starting there (an exemption on a tie), and it consumes
 * its span; rules it covers from its start on do not count (a room's exemption shields only that
 * room's rules). Two dictionary words across a CJK match exempt that match ({@link CrossWords}). Immutable; rebuilt when the rule set changes.
 */
public final class KeywordMatcher {

    private static final Logger LOG = LoggerFactory.getLogger(KeywordMatcher.class);
    public static final int MAX_PATTERN_LENGTH = 200;
    /** Latin rules this long or longer are also matched with leet and repeats folded. */
    static final int FOLDED_MIN_LETTERS = 4;
    public static final int MAX_ALTERNATIVES = 20;
    /** Instructions a regex may expand to ({@link RegexSize}); RE2/J itself has no bound. */
    public static final long MAX_REGEX_SIZE = 10_000;
    /** Mixed hanzi-and-pinyin spellings per CJK pattern; a longer rule gets only its commonest all-pinyin one. */
    static final int MAX_PINYIN_SPELLINGS = 64;
    private static final int MAX_MATCHES = 1000;
    private static final TextNormalizer NORMALIZER = new TextNormalizer();
    private static final Comparator<Match> LEFTMOST_LONGEST = Comparator.comparingInt(Match::originalStart)
            .thenComparing(Comparator.comparingInt(Match::originalLength).reversed())
            .thenComparing(match -> match.rule().getAction() != RuleAction.ALLOW);

    private final RuleGroup global;
    private final Map<String, RuleGroup> rooms;
    private final int ruleCount;
    private final int skippedCount;

    /** What a text matched: the rules in force, the exemptions that won, and the rules they shielded. */
    public record Findings(List<Match> matches, List<Match> exemptions, List<Match> shielded) {
        static final Findings NONE = new Findings(List.of(), List.of(), List.of());
    }

    private KeywordMatcher(RuleGroup global, Map<String, RuleGroup> rooms, int ruleCount, int skippedCount) {
        this.global = global;
        this.rooms = rooms;
        this.ruleCount = ruleCount;
        this.skippedCount = skippedCount;
    }

    /**
     * Loads the pinyin syllables and the dictionary (about 1 s and 20 MB) on a daemon thread, so the
     * first Chinese danmaku judged does not wait for them.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            try {
                Pinyin.boundaries(NORMALIZER.normalize("shabi", View.PINYIN));
                CrossWords.crossing("古代练兵", 1, 3);
            } catch (RuntimeException e) {
                LOG.warn("Warming up the matcher failed; the first Chinese danmaku will load it: {}", e.toString());
            }
        }, "matcher-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    public static KeywordMatcher empty() {
        return build(List.of());
    }

    /**
     * Compiles the rules. A rule that does not pass {@link #validate} (stored before a limit existed,
     * or written to the control topic by hand) is left out, logged and counted, never fatal.
     */
    public static KeywordMatcher build(Collection<KeywordRule> rules) {
        Map<String, List<KeywordRule>> byRoom = new HashMap<>();
        int skipped = 0;
        for (KeywordRule rule : rules) {
            try {
                validate(rule);
            } catch (InvalidRuleException e) {
                skipped++;
                LOG.warn("Rule {} is left out: {}", rule.getId(), e.getMessage());
                continue;
            }
            byRoom.computeIfAbsent(rule.getRoomId(), room -> new ArrayList<>()).add(rule);
        }
        RuleGroup global = RuleGroup.of(byRoom.getOrDefault("", List.of()));
        Map<String, RuleGroup> rooms = new HashMap<>();
        byRoom.forEach((room, roomRules) -> {
            if (!room.isEmpty()) {
                rooms.put(room, RuleGroup.of(roomRules));
            }
        });
        return new KeywordMatcher(global, rooms, rules.size() - skipped, skipped);
    }

    /** Checks that a rule compiles; the message says what is wrong. */
    public static void validate(KeywordRule rule) throws InvalidRuleException {
        validatePattern(rule.getPattern(), rule.getKind());
        if (rule.getAlternativesCount() > 0 && rule.getKind() == RuleKind.REGEX) {
            throw new InvalidRuleException("alternatives are for literal rules; a regex can list them itself");
        }
        if (rule.getAlternativesCount() > MAX_ALTERNATIVES) {
            throw new InvalidRuleException("at most " + MAX_ALTERNATIVES + " alternatives");
        }
        for (String alternative : rule.getAlternativesList()) {
            try {
                validatePattern(alternative, RuleKind.LITERAL);
            } catch (InvalidRuleException e) {
                throw new InvalidRuleException("alternative \"" + alternative + "\": " + e.getMessage());
            }
        }
        patternsOf(rule); // the spellings are made here too, so a rule that cannot be spelled never gets stored
    }

    private static void validatePattern(String pattern, RuleKind kind) throws InvalidRuleException {
        if (pattern.isBlank()) {
            throw new InvalidRuleException("pattern must not be empty");
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new InvalidRuleException("pattern is longer than " + MAX_PATTERN_LENGTH + " characters");
        }
        if (kind == RuleKind.REGEX) {
            if (RegexSize.foldsCase(pattern)) {
                throw new InvalidRuleException("regexes see the text in lower case already: drop the (?i) flag");
            }
            if (RegexSize.hasUpperCaseLetter(pattern)) {
                throw new InvalidRuleException("regexes see the text in lower case (the regex view): write the letters"
                        + " of \"" + pattern + "\" in lower case");
            }
            long size = RegexSize.estimate(pattern);
            if (size > MAX_REGEX_SIZE) {
                throw new InvalidRuleException("regex expands to about " + (size == Long.MAX_VALUE ? "too many" : size)
                        + " instructions, at most " + MAX_REGEX_SIZE + " (nested counted repetition such as"
                        + " (a{100}){100} multiplies)");
            }
            try {
                Pattern compiled = Pattern.compile(pattern);
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

    /**
     * Where the ends of a match must sit in its view: anywhere; at word boundaries by script; on
     * pinyin syllable boundaries; anywhere, but two dictionary words across it exempt it (CJK).
     */
    enum Boundary { ANY, WORD, SYLLABLE, CROSS_WORDS }

    /**
     * One spelling of a rule as it is matched in one view; {@code doubled}, in the folded view, marks
     * the letters the rule writes twice ("boobs"), which a match must have at least twice too.
     */
    public record ViewPattern(View view, String pattern, Boundary boundary, boolean[] doubled) {
        ViewPattern(View view, String pattern, Boundary boundary) {
            this(view, pattern, boundary, null);
        }
    }

    /**
     * The spellings of a rule in each view it is matched in: its pattern and alternatives in the
     * standard view; Latin ones also squashed (1–3 letters) or folded (4+ letters); CJK ones of two
     * hanzi or more also in pinyin. A regex rule is its regex in the regex view.
     */
    public static List<ViewPattern> patternsOf(KeywordRule rule) {
        List<ViewPattern> patterns = new ArrayList<>();
        if (rule.getKind() == RuleKind.REGEX) {
            patterns.add(new ViewPattern(View.REGEX, rule.getPattern(), rule.getWholeWord() ? Boundary.WORD : Boundary.ANY));
            return patterns;
        }
        addSpellings(rule.getPattern(), rule.getWholeWord(), patterns);
        for (String alternative : rule.getAlternativesList()) {
            addSpellings(alternative, true, patterns);
        }
        return patterns;
    }

    private static void addSpellings(String pattern, boolean wholeWord, List<ViewPattern> into) {
        String standard = NORMALIZER.normalizePattern(pattern);
        if (standard.isEmpty()) {
            return;
        }
        if (standard.codePoints().anyMatch(TextNormalizer::isCjk)) { // whole words are for scripts written with spaces
            into.add(new ViewPattern(View.STANDARD, standard, Boundary.CROSS_WORDS));
            String plain = NORMALIZER.normalizePattern(pattern, View.PINYIN);
            if (plain.codePoints().filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN).count() >= 2) {
                for (String spelling : Pinyin.spellings(plain, MAX_PINYIN_SPELLINGS)) {
                    into.add(new ViewPattern(View.PINYIN, spelling, Boundary.SYLLABLE));
                }
            }
            return;
        }
        Boundary boundary = wholeWord ? Boundary.WORD : Boundary.ANY;
        into.add(new ViewPattern(View.STANDARD, standard, boundary));
        long letters = standard.codePoints().filter(Character::isLetter).count();
        View extra = letters >= FOLDED_MIN_LETTERS ? View.FOLDED : View.SQUASHED;
        NormalizedText viewed = NORMALIZER.normalize(pattern, extra);
        if (!viewed.text().isEmpty()) {
            into.add(new ViewPattern(extra, viewed.text(), boundary, extra == View.FOLDED ? repeats(viewed) : null));
        }
    }

    /** Which chars of a folded view stand for two or more code points of the original; null when none. */
    private static boolean[] repeats(NormalizedText folded) {
        boolean[] repeated = new boolean[folded.text().length()];
        boolean any = false;
        for (int i = 0; i < repeated.length; i++) {
            repeated[i] = folded.original().codePointCount(folded.originalStartOf(i), folded.originalEndOf(i + 1)) >= 2;
            any |= repeated[i];
        }
        return any ? repeated : null;
    }

    /** What a text matches in a room. */
    public Findings find(TextViews text, String roomId) {
        Found found = new Found();
        global.find(text, found);
        RuleGroup room = rooms.get(roomId);
        if (room != null) {
            room.find(text, found);
        }
        return found.isEmpty() ? Findings.NONE : resolve(found);
    }

    /**
     * What the scan of one text found: one match per rule and overlapping span (the first view's),
     * at most {@value #MAX_MATCHES} (a text that matches more is decided by the first ones), and the
     * CJK matches two dictionary words cross, each with the words that shield it.
     */
    private static final class Found {
        final List<Match> matches = new ArrayList<>();
        final Map<KeywordRule, List<Match>> byRule = new HashMap<>();
        final List<Match> crossWords = new ArrayList<>();
        final List<Match> crossed = new ArrayList<>();
        boolean anyExemption;

        void add(Match match) {
            if (matches.size() >= MAX_MATCHES) {
                return;
            }
            List<Match> ofRule = byRule.computeIfAbsent(match.rule(), rule -> new ArrayList<>(1));
            for (Match kept : ofRule) {
                if (kept.overlaps(match)) {
                    return;
                }
            }
            ofRule.add(match);
            matches.add(match);
            anyExemption |= match.rule().getAction() == RuleAction.ALLOW;
        }

        void crossedByWords(Match match, Match words) {
            crossed.add(match);
            crossWords.add(words);
        }

        boolean isEmpty() {
            return matches.isEmpty() && crossed.isEmpty();
        }
    }

    /**
     * Lets the winning exemptions shield the rules they cover: over the text as sent, the leftmost
     * match wins, the longest of those starting there (an exemption on a tie), and consumes its span.
     * An exemption shields a match that overlaps it and starts at or after it; a room's exemption
     * shields only that room's rules, never a global one.
     */
    private static Findings resolve(Found found) {
        if (!found.anyExemption) {
            return new Findings(List.copyOf(found.matches), List.copyOf(found.crossWords), List.copyOf(found.crossed));
        }
        List<Match> byPosition = new ArrayList<>(found.matches);
        byPosition.sort(LEFTMOST_LONGEST);
        List<Match> exemptions = new ArrayList<>();
        int consumedUntil = -1;
        for (Match match : byPosition) {
            if (match.originalStart() >= consumedUntil) {
                consumedUntil = match.originalEnd();
                if (match.rule().getAction() == RuleAction.ALLOW) {
                    exemptions.add(match);
                }
            }
        }
        List<Match> inForce = new ArrayList<>();
        List<Match> shielded = new ArrayList<>(found.crossed);
        for (Match match : found.matches) {
            if (match.rule().getAction() == RuleAction.ALLOW) {
                continue;
            }
            boolean isShielded = exemptions.stream().anyMatch(exemption -> exemption.overlaps(match)
                    && match.originalStart() >= exemption.originalStart()
                    && (exemption.rule().getRoomId().isEmpty() || !match.rule().getRoomId().isEmpty()));
            (isShielded ? shielded : inForce).add(match);
        }
        exemptions.addAll(found.crossWords);
        return new Findings(inForce, exemptions, shielded);
    }

    /** Rules compiled and in force. */
    public int ruleCount() {
        return ruleCount;
    }

    /** Rules left out because they do not pass {@link #validate}. */
    public int skippedCount() {
        return skippedCount;
    }

    /** A rule behind one spelling in an automaton, with where its matches must end and its doubled letters. */
    private record Keyword(KeywordRule rule, Boundary boundary, boolean[] doubled) {

        /** Whether each letter the rule doubles is at least doubled in the text too ("Bob's" is not "boobs"). */
        boolean doublesHold(NormalizedText viewed, int begin) {
            if (doubled == null) {
                return true;
            }
            boolean[] inText = repeats(viewed);
            for (int k = 0; k < doubled.length; k++) {
                if (doubled[k] && (inText == null || !inText[begin + k])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The compiled rules of one scope (global, or one room). */
    private record RuleGroup(Map<View, AhoCorasickDoubleArrayTrie<Keyword[]>> literals, List<CompiledRegex> regexes) {

        static RuleGroup of(List<KeywordRule> rules) {
            Map<View, TreeMap<String, List<Keyword>>> patterns = new EnumMap<>(View.class);
            List<CompiledRegex> regexes = new ArrayList<>();
            for (KeywordRule rule : rules) {
                if (rule.getKind() == RuleKind.REGEX) {
                    regexes.add(new CompiledRegex(rule, Pattern.compile(rule.getPattern())));
                    continue;
                }
                for (ViewPattern pattern : patternsOf(rule)) {
                    patterns.computeIfAbsent(pattern.view(), v -> new TreeMap<>())
                            .computeIfAbsent(pattern.pattern(), key -> new ArrayList<>(1))
                            .add(new Keyword(rule, pattern.boundary(), pattern.doubled()));
                }
            }
            Map<View, AhoCorasickDoubleArrayTrie<Keyword[]>> literals = new EnumMap<>(View.class);
            patterns.forEach((view, byPattern) -> {
                TreeMap<String, Keyword[]> keyed = new TreeMap<>();
                byPattern.forEach((key, value) -> keyed.put(key, value.toArray(Keyword[]::new)));
                AhoCorasickDoubleArrayTrie<Keyword[]> trie = new AhoCorasickDoubleArrayTrie<>();
                trie.build(keyed);
                literals.put(view, trie);
            });
            return new RuleGroup(literals, List.copyOf(regexes));
        }

        void find(TextViews text, Found into) {
            literals.forEach((view, trie) -> {
                if (!text.mayMatch(view)) {
                    return;
                }
                NormalizedText viewed = text.view(view);
                trie.parseText(viewed.text(), (begin, end, keywords) -> {
                    for (Keyword keyword : keywords) {
                        if (!fits(keyword.boundary(), text, viewed, begin, end) || !keyword.doublesHold(viewed, begin)) {
                            continue;
                        }
                        Match match = Match.in(viewed, view, keyword.rule(), begin, end);
                        int[] words = keyword.boundary() == Boundary.CROSS_WORDS && keyword.rule().getAction() != RuleAction.ALLOW
                                ? CrossWords.crossing(viewed.text(), begin, end) : null;
                        if (words == null) {
                            into.add(match);
                        } else {
                            into.crossedByWords(match, Match.in(viewed, view, CrossWords.RULE, words[0], words[1]));
                        }
                    }
                });
            });
            if (regexes.isEmpty()) {
                return;
            }
            NormalizedText viewed = text.view(View.REGEX);
            for (CompiledRegex regex : regexes) {
                Matcher matcher = regex.pattern().matcher(viewed.text());
                while (matcher.find()) {
                    if (matcher.end() > matcher.start()
                            && (!regex.rule().getWholeWord() || viewed.isWholeWord(matcher.start(), matcher.end()))) {
                        into.add(Match.in(viewed, View.REGEX, regex.rule(), matcher.start(), matcher.end()));
                    }
                }
            }
        }

        private static boolean fits(Boundary boundary, TextViews text, NormalizedText viewed, int begin, int end) {
            return switch (boundary) {
                case ANY, CROSS_WORDS -> true;
                case WORD -> viewed.isWholeWord(begin, end);
                case SYLLABLE -> text.pinyinBoundaries()[begin] && text.pinyinBoundaries()[end];
            };
        }
    }

    private record CompiledRegex(KeywordRule rule, Pattern pattern) {
    }
}
