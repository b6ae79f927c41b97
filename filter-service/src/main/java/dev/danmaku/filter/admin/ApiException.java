package dev.danmaku.filter.admin;

import java.util.List;
import java.util.Map;

import io.undertow.util.StatusCodes;

/** A request the API refuses; becomes an RFC 9457 problem with this status and detail. */
final class ApiException extends Exception {

    private final int status;
    private final List<Map<String, Object>> errors;

    ApiException(int status, String detail) {
        this(status, detail, List.of());
    }

    ApiException(int status, String detail, List<Map<String, Object>> errors) {
        super(detail);
        this.status = status;
        this.errors = errors;
    }

    static ApiException badRequest(String detail) {
        return new ApiException(StatusCodes.BAD_REQUEST, detail);
    }

    static ApiException notFound(String detail) {
        return new ApiException(StatusCodes.NOT_FOUND, detail);
    }

    int status() {
        return status;
    }

    /** Per-item errors (say, per line of an import). */
    List<Map<String, Object>> errors() {
        return errors;
    }
}
