package dev.herald.api;

/** An answer other than success, sent as {@code application/problem+json} (RFC 9457). */
final class ApiError extends RuntimeException {
    final int status;
    /** The query parameter or field at fault, or null. */
    final String field;

    ApiError(int status, String detail) {
        this(status, detail, null);
    }

    ApiError(int status, String detail, String field) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    static ApiError badRequest(String detail) {
        return new ApiError(400, detail);
    }

    static ApiError badRequest(String field, String detail) {
        return new ApiError(400, detail, field);
    }

    static ApiError notFound(String detail) {
        return new ApiError(404, detail);
    }

    static ApiError conflict(String detail) {
        return new ApiError(409, detail);
    }
}
