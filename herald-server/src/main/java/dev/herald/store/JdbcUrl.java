package dev.herald.store;

import dev.herald.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A PostgreSQL URL split into the JDBC URL and the credentials it carried. */
record JdbcUrl(String url, String user, String password) {
    static JdbcUrl parse(String url) {
        if (url.startsWith("jdbc:")) {
            return new JdbcUrl(url, null, null);
        }
        try {
            URI u = new URI(url);
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = percentDecode(parts[0]);
                password = parts.length > 1 ? percentDecode(parts[1]) : null;
            }
            String hostPort = u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
            String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
            return new JdbcUrl("jdbc:postgresql://" + hostPort + u.getRawPath() + query, user, password);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ConfigException("HERALD_DATABASE_URL is not a valid URL: " + e.getMessage());
        }
    }

    /**
     * The database in words for messages, its host(s), port and name, never its credentials:
     * {@code PostgreSQL at db.internal:5432, database herald}.
     */
    String describe() {
        String rest = url.substring("jdbc:postgresql:".length());
        String hosts = "localhost:5432";
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            hosts = rest.substring(2, slash < 0 ? rest.length() : slash);
            rest = slash < 0 ? "" : rest.substring(slash + 1);
            hosts = Arrays.stream(hosts.split(","))
                    .map(h -> h.replaceFirst("^[^@]*@", ""))
                    .map(h -> h.matches(".*:\\d+$") ? h : h + ":5432")
                    .collect(Collectors.joining(","));
        }
        int query = rest.indexOf('?');
        String db = query < 0 ? rest : rest.substring(0, query);
        return "PostgreSQL at " + hosts + ", database " + (db.isEmpty() ? "(the user's default)" : percentDecode(db));
    }

    /** Why not plain URLDecoder: user info is percent-encoded, where a '+' is a plus, not a space. */
    private static String percentDecode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
