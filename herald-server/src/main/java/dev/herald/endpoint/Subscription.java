package dev.herald.endpoint;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which event types an endpoint's {@code event_types} selects: each entry is an exact catalogue name, {@code prefix.*}
 * (every type whose name starts with {@code prefix.}) or {@code *}; no entries means every type. This is the one
 * place that decides whether an endpoint receives a type: at publish ({@code store/EventStore}) and everywhere else
 * ({@link EndpointSpec#subscribes}). Immutable and thread-safe.
 */
public final class Subscription {
    /** An entry: a name (as the catalogue's), {@code <name prefix>.*}, or {@code *}; 128 characters at most. */
    public static final Pattern ENTRY = Pattern.compile("\\*|[A-Za-z0-9_.:-]{1,126}\\.\\*|[A-Za-z0-9_.:-]{1,128}");
    public static final String ENTRY_RULE = "must be an event type name (1 to 128 letters, digits, '_', '.', ':' or '-'),"
            + " a name prefix followed by '.*' (e.g. 'order.*': every type whose name starts with 'order.'), or '*'"
            + " (every type)";
    private static final String ALL = "*";
    private static final String WILDCARD_SUFFIX = "*";

    private final boolean all;
    private final Set<String> exact;
    /** Each wildcard's prefix with its dot: {@code order.*} is kept as {@code order.}. */
    private final String[] prefixes;

    private Subscription(boolean all, Set<String> exact, String[] prefixes) {
        this.all = all;
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /** The entries of a valid {@code event_types} (see {@link #ENTRY}). */
    public static Subscription of(List<String> entries) {
        if (entries.isEmpty() || entries.contains(ALL)) {
            return new Subscription(true, Set.of(), new String[0]);
        }
        Set<String> exact = new HashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (String e : entries) {
            if (isWildcard(e)) {
                prefixes.add(e.substring(0, e.length() - WILDCARD_SUFFIX.length()));
            } else {
                exact.add(e);
            }
        }
        return new Subscription(false, Set.copyOf(exact), prefixes.toArray(String[]::new));
    }

    /** Whether events of {@code type} are selected. */
    public boolean matches(String type) {
        if (all || exact.contains(type)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code entry} is {@code *} or {@code prefix.*} rather than a name. */
    public static boolean isWildcard(String entry) {
        return entry.endsWith(WILDCARD_SUFFIX);
    }

    /** The entries that are names, which must be in the catalogue; wildcards need not match any type. */
    public static List<String> names(List<String> entries) {
        return entries.stream().filter(e -> !isWildcard(e)).toList();
    }
}
