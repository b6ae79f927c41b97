package dev.danmaku.filter.pipeline;

/**
 * Records the pipeline could not decode or judge go to the dead-letter topic as they came, with two
 * headers: where each came from ({@code topic-partition@offset}) and why it is there.
 */
public final class DeadLetters {

    public static final String SOURCE = "danmaku-source";
    public static final String CAUSE = "danmaku-cause";
    private static final int MAX_CAUSE_LENGTH = 300;

    private DeadLetters() {
    }

    /** The cause, cut to a length a header and an operator's terminal can hold. */
    static String bounded(String cause) {
        String text = cause == null ? "unknown" : cause;
        return text.length() <= MAX_CAUSE_LENGTH ? text : text.substring(0, MAX_CAUSE_LENGTH) + "…";
    }
}
