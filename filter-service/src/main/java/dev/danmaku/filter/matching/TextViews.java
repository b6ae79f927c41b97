package dev.danmaku.filter.matching;

import java.util.EnumMap;
import java.util.Map;

import dev.danmaku.filter.matching.TextNormalizer.View;

/** The views of one text, each made when a rule first needs it. For one thread. */
public final class TextViews {

    private static final TextNormalizer NORMALIZER = new TextNormalizer();

    private final String original;
    private final Map<View, NormalizedText> views = new EnumMap<>(View.class);
    private boolean[] pinyinBoundaries;

    public TextViews(String original) {
        this.original = original;
    }

    public String original() {
        return original;
    }

    public NormalizedText standard() {
        return view(View.STANDARD);
    }

    public NormalizedText view(View view) {
        return views.computeIfAbsent(view, v -> NORMALIZER.normalize(original, v));
    }

    /** Where a pinyin spelling may start or end in the pinyin view. */
    boolean[] pinyinBoundaries() {
        if (pinyinBoundaries == null) {
            pinyinBoundaries = Pinyin.boundaries(view(View.PINYIN));
        }
        return pinyinBoundaries;
    }
}
