package dev.herald.store;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Sorts database errors into {@link StoreException.Kind}s and says in a few words what went wrong, for one-line
 * messages at start and in logs. Driver messages name hosts and users, never passwords; callers still scrub.
 */
final class StoreFailures {
    /** PostgreSQL SQLSTATEs that mean the server went away or is shutting down (class 08 is checked apart). */
    private static final Set<String> PG_GONE = Set.of("57P01", "57P02", "57P03");
    /** PostgreSQL SQLSTATEs that mean the database cannot take writes: disk full, I/O error, a read-only server. */
    private static final Set<String> PG_NOT_WRITABLE = Set.of("53100", "58030", "25006");
    private static final Set<SQLiteErrorCode> SQLITE_NOT_WRITABLE = Set.of(SQLiteErrorCode.SQLITE_FULL,
            SQLiteErrorCode.SQLITE_READONLY, SQLiteErrorCode.SQLITE_CANTOPEN);

    private StoreFailures() {
    }

    static StoreException.Kind kind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s && notWritable(s.getResultCode())) {
                return StoreException.Kind.NOT_WRITABLE;
            }
            if (t instanceof SQLException s && s.getSQLState() != null && PG_NOT_WRITABLE.contains(s.getSQLState())) {
                return StoreException.Kind.NOT_WRITABLE;
            }
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || PG_GONE.contains(s.getSQLState()))) {
                return StoreException.Kind.UNREACHABLE;
            }
        }
        return StoreException.Kind.FAILED;
    }

    private static boolean notWritable(SQLiteErrorCode code) {
        // why: SQLITE_IOERR comes with many extended codes (SQLITE_IOERR_WRITE, _FSYNC, ...), all one cause
        return code != null && (SQLITE_NOT_WRITABLE.contains(code) || code.name().startsWith("SQLITE_IOERR"));
    }

    /** The cause in a few words: "connection refused", "unknown host db", or the driver's own first line. */
    static String cause(Throwable e) {
        String sqlMessage = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            switch (t) {
                case ConnectException c -> {
                    return "connection refused";
                }
                case UnknownHostException u -> {
                    return "unknown host " + u.getMessage();
                }
                case NoRouteToHostException n -> {
                    return "no route to host";
                }
                case SocketTimeoutException s -> {
                    return "no answer in time (" + firstLine(s.getMessage()) + ")";
                }
                case SQLException s when s.getMessage() != null && !(s instanceof SQLTransientConnectionException) ->
                        sqlMessage = firstLine(s.getMessage());
                default -> {
                }
            }
        }
        if (sqlMessage != null) {
            return sqlMessage;
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : firstLine(root.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
