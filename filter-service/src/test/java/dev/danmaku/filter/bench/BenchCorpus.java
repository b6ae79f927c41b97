package dev.danmaku.filter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/** Rules and danmaku texts for the benchmarks: 10 000 literal rules, and texts like a busy room's. */
public final class BenchCorpus {

    private static final String[] PHRASES = {
            "哈哈哈哈哈", "前方高能", "666666", "awsl", "主播好强", "这波操作可以", "hello from Berlin", "gg wp",
            "what a play!!", "LOL that was close", "太好看了吧", "弹幕护体", "2333333", "第一次来，支持一下",
            "I can't believe it", "this song is great", "yyds", "破防了", "let's gooooo", "来了来了",
    };

    private BenchCorpus() {
    }

    public static List<KeywordRule> rules(int count) {
        SplittableRandom random = new SplittableRandom(42);
        List<KeywordRule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String pattern = i % 2 == 0 ? latinWord(random) : hanWord(random);
            RuleAction action = i % 10 == 0 ? RuleAction.MASK : RuleAction.REJECT;
            rules.add(KeywordRule.newBuilder().setId("bench-" + i).setPattern(pattern).setAction(action)
                    .setKind(RuleKind.LITERAL).setWholeWord(i % 4 == 0).build());
        }
        return rules;
    }

    /** Texts of 5-40 characters; about 1 in 50 carries a blocked word. */
    public static List<String> texts(int count, List<KeywordRule> rules) {
        SplittableRandom random = new SplittableRandom(7);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder(PHRASES[random.nextInt(PHRASES.length)]);
            if (random.nextInt(2) == 0) {
                text.append(' ').append(PHRASES[random.nextInt(PHRASES.length)]);
            }
            if (random.nextInt(50) == 0) {
                text.append(' ').append(rules.get(random.nextInt(rules.size())).getPattern());
            }
            texts.add(text.toString());
        }
        return texts;
    }

    private static String latinWord(SplittableRandom random) {
        StringBuilder word = new StringBuilder();
        int length = 5 + random.nextInt(6);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }

    private static String hanWord(SplittableRandom random) {
        StringBuilder word = new StringBuilder();
        int length = 2 + random.nextInt(3);
        for (int i = 0; i < length; i++) {
            word.append((char) (0x4E00 + random.nextInt(0x2000)));
        }
        return word.toString();
    }
}
