package dev.danmaku.filter.matching;

/**
 * About how many instructions a regex compiles to, read from its syntax: counted repetition
 * ({@code x{n}}, {@code x{n,m}}) copies what it repeats, so nesting multiplies
 * ({@code ((a{1000}){1000}){1000}} is 10⁹). RE2/J has no limit of its own on that size and would
 * exhaust the heap compiling it; the filter refuses such a rule before compiling.
 */
final class RegexSize {

    private RegexSize() {
    }

    /**
     * Whether a letter outside escapes ({@code \P{Lu}}, {@code \D}), POSIX classes and group names is upper
     * case. Regexes are compiled without case folding, which RE2/J does so slowly for a wide class
     * ({@code [a-\x{ffff}]} takes minutes) that one rule could stall every filter; the text they see is
     * case-folded already.
     */
    static boolean hasUpperCaseLetter(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char escaped = regex.charAt(++i);
                if (escaped == 'Q') {
                    int end = regex.indexOf("\\E", i);
                    i = end < 0 ? regex.length() : end + 1;
                } else if ((escaped == 'p' || escaped == 'P' || escaped == 'x') && i + 1 < regex.length()
                        && regex.charAt(i + 1) == '{') {
                    int end = regex.indexOf('}', i);
                    i = end < 0 ? regex.length() : end;
                } else if (escaped == 'p' || escaped == 'P') {
                    i++; // a one-letter class: \pL, \PN
                }
            } else if (regex.startsWith("[:", i) || regex.startsWith("(?P<", i)) {
                int end = regex.indexOf(regex.charAt(i) == '[' ? ":]" : ">", i);
                i = end < 0 ? regex.length() : end;
            } else if (Character.isUpperCase(c)) {
                return true;
            }
        }
        return false;
    }

    /** The estimate, saturating at {@link Long#MAX_VALUE}; a stray ")" does not end it. */
    static long estimate(String regex) {
        Scan scan = new Scan(regex);
        long size = scan.alternation();
        while (scan.at < regex.length()) { // a ")" without its "(": RE2/J refuses it, but keep counting
            scan.at++;
            size = Scan.add(size, scan.alternation());
        }
        return size;
    }

    /** Whether a group turns case folding on ({@code (?i)}, {@code (?si:...)}): the same slow compile as the flag. */
    static boolean foldsCase(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            if (regex.startsWith("\\Q", i)) {
                int end = regex.indexOf("\\E", i);
                i = end < 0 ? regex.length() : end + 1;
            } else if (regex.charAt(i) == '\\') {
                i++;
            } else if (regex.startsWith("(?", i)) {
                for (int k = i + 2; k < regex.length(); k++) {
                    char flag = regex.charAt(k);
                    if (flag == 'i') {
                        return true;
                    }
                    if (!Character.isLetter(flag)) {
                        break; // ":" or ")" ends the flags, "-" turns the rest off
                    }
                }
            }
        }
        return false;
    }

    private static final class Scan {
        private final String regex;
        int at;

        Scan(String regex) {
            this.regex = regex;
        }

        /** Alternatives up to the end or the closing parenthesis: the sum of their sizes. */
        long alternation() {
            long size = 0;
            while (at < regex.length() && regex.charAt(at) != ')') {
                if (regex.charAt(at) == '|') {
                    at++;
                    size = add(size, 1);
                    continue;
                }
                size = add(size, repeated(atom()));
            }
            return size;
        }

        private long atom() {
            char c = regex.charAt(at++);
            switch (c) {
                case '\\' -> {
                    if (regex.startsWith("Q", at)) { // \Q...\E is literal text, whatever it holds
                        int end = regex.indexOf("\\E", at);
                        int length = (end < 0 ? regex.length() : end) - at - 1;
                        at = end < 0 ? regex.length() : end + 2;
                        return Math.max(1, length);
                    }
                    at = Math.min(regex.length(), at + 1);
                    skipBraced(); // \p{Greek}, \x{263a}
                    return 1;
                }
                case '[' -> {
                    if (at < regex.length() && regex.charAt(at) == '^') {
                        at++;
                    }
                    if (at < regex.length() && regex.charAt(at) == ']') {
                        at++;
                    }
                    while (at < regex.length() && regex.charAt(at) != ']') {
                        at += regex.charAt(at) == '\\' ? 2 : 1;
                    }
                    at++;
                    return 1;
                }
                case '(' -> {
                    long inner = alternation();
                    at++; // ')'
                    return add(inner, 1);
                }
                default -> {
                    return 1;
                }
            }
        }

        /** The atom's size times the largest count of a counted repetition after it; *, + and ? add one. */
        private long repeated(long size) {
            while (at < regex.length()) {
                char c = regex.charAt(at);
                if (c == '*' || c == '+' || c == '?') {
                    at++;
                    size = add(size, 1);
                } else if (c == '{' && isCount(at)) {
                    int close = regex.indexOf('}', at);
                    String[] bounds = regex.substring(at + 1, close).split(",", -1);
                    String largest = bounds.length > 1 && !bounds[1].isEmpty() ? bounds[1] : bounds[0];
                    long count = Math.max(1, Long.parseLong(largest)) + (bounds.length > 1 && bounds[1].isEmpty() ? 1 : 0);
                    size = multiply(size, count);
                    at = close + 1;
                } else {
                    break;
                }
            }
            return size;
        }

        private boolean isCount(int open) {
            int close = regex.indexOf('}', open);
            return close > open + 1 && regex.substring(open + 1, close).matches("[0-9]{1,6}(,[0-9]{0,6})?");
        }

        private void skipBraced() {
            if (at < regex.length() && regex.charAt(at) == '{') {
                int close = regex.indexOf('}', at);
                at = close < 0 ? regex.length() : close + 1;
            }
        }

        static long add(long a, long b) {
            long sum = a + b;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }

        private static long multiply(long a, long b) {
            return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
        }
    }
}
