package dev.herald.cli;

/**
 * The API answered an error (status and the problem's {@code detail} and {@code field}), or could not be reached
 * (status 0). The CLI prints it as one line on stderr and exits with {@link Main#API_ERROR}.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String field;

    ApiException(int status, String detail, String field) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }

    /** One line: the detail, then the field when the API named one. */
    String line() {
        String detail = getMessage().replaceAll("[\\r\\n]+", " ");
        return field == null ? detail : detail + " (field: " + field + ")";
    }
}
