package dev.herald.api;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests it refuses before any route sees them (431 headers too large, 414 URI too long,
 * 400 for a malformed request line or path, 505): a problem document like every other error, in place of
 * Jetty's HTML page. Installed as the server's error handler, so it covers what Javalin never receives.
 */
final class EarlyErrors extends ErrorHandler {
    private static final int MAX_REASON = 200;

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = (String) request.getAttribute(ERROR_MESSAGE);
        String pathProblem = null;
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
            if (http.getReason() != null) {
                reason = http.getReason();
            }
            // why: a bad path's reason is only "Bad Request"; what was wrong with it is in the cause
            Throwable inner = ((Throwable) http).getCause();
            if (inner instanceof NumberFormatException) {
                pathProblem = "a '%' is not followed by two hex digits";
            } else if (inner != null && inner.getMessage() != null) {
                pathProblem = inner.getMessage();
            }
        }
        if (status < 400 || status > 599) {
            status = 500;
        }
        int headerLimit = request.getConnectionMetaData().getHttpConfiguration().getRequestHeaderSize();
        response.setStatus(status);
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(Problems.body(status, detail(status, reason, pathProblem, headerLimit), null)),
                callback);
        return true;
    }

    /** What went wrong and what to do, from the status and Jetty's reason. */
    static String detail(int status, String reason, String pathProblem, int headerLimit) {
        String why = reason == null || reason.isBlank() || reason.equalsIgnoreCase(HttpStatus.getMessage(status))
                ? "" : " (" + printable(reason) + ")";
        return switch (status) {
            case 431 -> "the request headers are larger than " + headerLimit / 1024 + " KiB; send fewer or smaller headers";
            case 414 -> "the request URI is longer than " + headerLimit / 1024 + " KiB; shorten the path and query";
            case 505 -> "the HTTP version is not supported" + why + "; use HTTP/1.1";
            case 400 -> pathProblem != null
                    ? "the request path is malformed (" + printable(pathProblem) + "); percent-encode it as RFC 3986 says,"
                            + " with no NUL, control characters or bad '%' escapes"
                    : "the request is malformed" + why + "; send a valid HTTP/1.1 request";
            default -> "the request could not be handled" + why;
        };
    }

    /** Jetty's reason may quote the request: keep it short and printable. */
    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > MAX_REASON ? t.substring(0, MAX_REASON) + "..." : t;
    }
}
