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
    private Boolean latinOrDigits;
    private Boolean latin;

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
        NormalizedText made = views.get(view);
        if (made == null) {
            // most texts hold no punctuation or symbols, and their squashed view is the standard one
            made = view == View.SQUASHED && !NORMALIZER.squashes(original) ? standard() : NORMALIZER.normalize(original, view);
            views.put(view, made);
        }
        return made;
    }

    /**
     * Whether a view can hold a match at all: every spelling of the squashed and folded views has a
     * Latin letter or a digit, every pinyin spelling a Latin letter. Without one in the standard
     * view (most Chinese danmaku), those views are not made.
     */
    boolean mayMatch(View view) {
        return switch (view) {
            case STANDARD, REGEX -> true;
            case PINYIN -> hasLatin();
            case SQUASHED, FOLDED -> hasLatinOrDigits();
        };
    }

    private boolean hasLatin() {
        if (latin == null) {
            latin = hasCharIn(standard().text(), 'a', 'z');
        }
        return latin;
    }

    private boolean hasLatinOrDigits() {
        if (latinOrDigits == null) {
            latinOrDigits = hasLatin() || hasCharIn(standard().text(), '0', '9');
        }
        return latinOrDigits;
    }

    private static boolean hasCharIn(String text, char first, char last) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= first && c <= last) {
                return true;
            }
        }
        return false;
    }

    /** Where a pinyin spelling may start or end in the pinyin view. */
    boolean[] pinyinBoundaries() {
        if (pinyinBoundaries == null) {
            pinyinBoundaries = Pinyin.boundaries(view(View.PINYIN));
        }
        return pinyinBoundaries;
    }
}
