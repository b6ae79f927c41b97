package dev.danmaku.common.auth;

/** A token that is malformed, badly signed, expired or lacks a required claim; the message says which. */
public final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
        super(message);
    }
}
