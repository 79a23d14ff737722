package dev.herald.api;

/** An answer other than success, sent as {@code application/problem+json} (RFC 9457). */
final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String detail) {
        super(detail);
        this.status = status;
    }

    static ApiError badRequest(String detail) {
        return new ApiError(400, detail);
    }

    static ApiError notFound(String detail) {
        return new ApiError(404, detail);
    }

    static ApiError conflict(String detail) {
        return new ApiError(409, detail);
    }
}
