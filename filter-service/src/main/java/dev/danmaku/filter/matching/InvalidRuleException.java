package dev.danmaku.filter.matching;

/** A rule that cannot be compiled: empty after normalization, a malformed regex, too long. */
public final class InvalidRuleException extends Exception {
    public InvalidRuleException(String message) {
        super(message);
    }
}
