package dev.danmaku.common.config;

/** A setting whose value cannot be used; the message names the variable, the flag and the problem. */
public final class InvalidSettingException extends IllegalArgumentException {
    public InvalidSettingException(String message) {
        super(message);
    }
}
