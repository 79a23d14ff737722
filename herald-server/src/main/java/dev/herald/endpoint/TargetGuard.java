package dev.herald.endpoint;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Keeps Herald from being turned against its own network (SSRF): targets that resolve to an address
 * that is not ordinary public unicast are refused unless {@code HERALD_ALLOW_PRIVATE_TARGETS=true}.
 * Checked when an endpoint is registered and again each time its name is resolved for a delivery, so a
 * name that later points inside (DNS rebinding) is caught.
 *
 * <p>IPv4: the special-purpose blocks below are refused. IPv6: only global unicast (2000::/3) is
 * allowed, less its documentation and IETF blocks; forms that carry an IPv4 address (IPv4-mapped,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address, so the NAT64 form of a public address
 * is allowed and that of 10.0.0.1 is not. Forms whose IPv4 address Herald cannot tell for sure are
 * refused whole: IPv4-compatible ::/96 (deprecated), local-use NAT64 64:ff9b:1::/48 (its operator
 * chooses where in the address the IPv4 part sits) and Teredo 2001::/32 (a tunnel for hosts behind NAT,
 * reached through a relay: never a webhook receiver, and its client address is obfuscated).
 * docs/delivery.md lists the blocks.
 */
public final class TargetGuard {
    /** Name resolution; a seam so that tests can make a public name resolve to a private address. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A name that resolves to an address Herald may not send to. */
    public static final class PrivateTargetException extends UnknownHostException {
        public PrivateTargetException(String message) {
            super(message);
        }
    }

    /** A block of addresses and what it is, for the error message. */
    private record Block(byte[] prefix, int bits, String what) {
        static Block of(String cidr, String what) {
            int slash = cidr.indexOf('/');
            try {
                // why: a literal never reaches a resolver, so this does no DNS
                byte[] prefix = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
                return new Block(prefix, Integer.parseInt(cidr.substring(slash + 1)), what + " (" + cidr + ")");
            } catch (UnknownHostException e) {
                throw new IllegalStateException("bad block " + cidr, e);
            }
        }

        boolean contains(byte[] address) {
            return inBlock(address, prefix, bits);
        }
    }

    private static final List<Block> V4 = List.of(
            Block.of("0.0.0.0/8", "a \"this network\" address"),
            Block.of("10.0.0.0/8", "a private address"),
            Block.of("100.64.0.0/10", "a carrier-grade NAT address"),
            Block.of("127.0.0.0/8", "a loopback address"),
            Block.of("169.254.0.0/16", "a link-local address, where cloud metadata services live"),
            Block.of("172.16.0.0/12", "a private address"),
            Block.of("192.0.0.0/24", "an IETF protocol assignment"),
            Block.of("192.0.2.0/24", "a documentation address"),
            Block.of("192.88.99.0/24", "a 6to4 relay anycast address"),
            Block.of("192.168.0.0/16", "a private address"),
            Block.of("198.18.0.0/15", "a benchmarking address"),
            Block.of("198.51.100.0/24", "a documentation address"),
            Block.of("203.0.113.0/24", "a documentation address"),
            Block.of("224.0.0.0/4", "a multicast address"),
            Block.of("240.0.0.0/4", "a reserved or broadcast address"));

    /** Inside global unicast 2000::/3, refused (first match wins). */
    private static final List<Block> V6_GLOBAL_REFUSED = List.of(
            Block.of("2001::/32", "a Teredo address"),
            Block.of("2001::/23", "an IETF protocol assignment (benchmarking, ORCHID and others)"),
            Block.of("2001:db8::/32", "a documentation address"),
            Block.of("3fff::/20", "a documentation address"));

    /** Outside global unicast, named for the error message; everything there is refused. */
    private static final List<Block> V6_OTHER = List.of(
            Block.of("::/128", "the unspecified address"),
            Block.of("::1/128", "the loopback address"),
            Block.of("::/96", "an IPv4-compatible address (deprecated)"),
            Block.of("64:ff9b:1::/48", "a local-use NAT64 address, whose IPv4 part cannot be known"),
            Block.of("100::/64", "a discard-only address"),
            Block.of("fc00::/7", "a unique local address"),
            Block.of("fe80::/10", "a link-local address"),
            Block.of("fec0::/10", "a site-local address"),
            Block.of("ff00::/8", "a multicast address"));

    private static final Block V6_GLOBAL = Block.of("2000::/3", "global unicast");
    // why: written out, because Java turns the literal ::ffff:0:0 into the IPv4 address 0.0.0.0
    private static final Block V4_MAPPED = new Block(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0},
            96, "IPv4-mapped (::ffff:0:0/96)");
    private static final Block NAT64 = Block.of("64:ff9b::/96", "NAT64");
    private static final Block SIX_TO_FOUR = Block.of("2002::/16", "6to4");

    private final boolean allowPrivate;
    private final Resolver resolver;

    public TargetGuard(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    public TargetGuard(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /** Resolves {@code host} and refuses it when any of its addresses is private (and that is not allowed). */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> addresses = List.of(resolver.resolve(host));
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                String refusal = refusal(a);
                if (refusal != null) {
                    throw new PrivateTargetException(host + " resolves to " + a.getHostAddress() + ", " + refusal
                            + "; Herald refuses loopback, private, link-local, metadata and other special-purpose"
                            + " addresses unless HERALD_ALLOW_PRIVATE_TARGETS=true");
                }
            }
        }
        return addresses;
    }

    /** Whether Herald should never send to {@code a} on its own initiative. */
    public static boolean isPrivate(InetAddress a) {
        return refusal(a) != null;
    }

    /** Why Herald should never send to {@code a} on its own initiative, or null when it may. */
    public static String refusal(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return V4.stream().filter(block -> block.contains(b)).map(Block::what).findFirst().orElse(null);
        }
        if (!(a instanceof Inet6Address)) {
            return "an address of an unknown family";
        }
        if (V4_MAPPED.contains(b)) {
            return embedded("an IPv4-mapped address", b, 12);
        }
        if (NAT64.contains(b)) {
            return embedded("a NAT64 address (64:ff9b::/96)", b, 12);
        }
        if (!V6_GLOBAL.contains(b)) {
            return V6_OTHER.stream().filter(block -> block.contains(b)).map(Block::what).findFirst()
                    .orElse("not a global unicast address (outside 2000::/3)");
        }
        if (SIX_TO_FOUR.contains(b)) {
            return embedded("a 6to4 address (2002::/16)", b, 2);
        }
        return V6_GLOBAL_REFUSED.stream().filter(block -> block.contains(b)).map(Block::what).findFirst().orElse(null);
    }

    /** The refusal of the IPv4 address held in {@code b} from byte {@code at}, or null when it is public. */
    private static String embedded(String form, byte[] b, int at) {
        byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
        try {
            InetAddress inner = InetAddress.getByAddress(v4);
            String refusal = refusal(inner);
            return refusal == null ? null : form + " of " + inner.getHostAddress() + ", " + refusal;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** Whether {@code address} is in the block of its first {@code bits} bits equal to {@code prefix}'s (same family). */
    public static boolean inBlock(byte[] address, byte[] prefix, int bits) {
        return address.length == prefix.length && startsWith(address, prefix, bits);
    }

    private static boolean startsWith(byte[] address, byte[] prefix, int bits) {
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (address[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[whole] & mask) == (prefix[whole] & mask);
    }
}
