package dev.danmaku.filter.moderation;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.danmaku.proto.v1.Category;

/** Rule categories by the names the API, exports and metrics use: the enum name without its prefix, in lower case. */
public final class Categories {

    private static final String PREFIX = "CATEGORY_";
    /** Every category a rule may name, without "unspecified". */
    public static final List<Category> ALL = Arrays.stream(Category.values())
            .filter(c -> c != Category.CATEGORY_UNSPECIFIED && c != Category.UNRECOGNIZED).toList();

    private Categories() {
    }

    /** "advertising" for CATEGORY_ADVERTISING; "none" for unspecified or unknown. */
    public static String nameOf(Category category) {
        return ALL.contains(category) ? category.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT) : "none";
    }

    public static Optional<Category> parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(category -> nameOf(category).equals(wanted)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(Categories::nameOf).toList();
    }
}
