package dev.herald.endpoint;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Keeps Herald from being turned against its own network (SSRF): targets that resolve to loopback,
 * private, link-local, carrier-grade NAT, multicast or cloud metadata addresses are refused unless
 * {@code HERALD_ALLOW_PRIVATE_TARGETS=true}. Checked when an endpoint is registered and again each time
 * its name is resolved for a delivery, so a name that later points inside (DNS rebinding) is caught.
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
                if (isPrivate(a)) {
                    throw new PrivateTargetException(host + " resolves to " + a.getHostAddress()
                            + ", a private, loopback, link-local or metadata address; Herald refuses those"
                            + " unless HERALD_ALLOW_PRIVATE_TARGETS=true");
                }
            }
        }
        return addresses;
    }

    /** Whether Herald should never send to {@code a} on its own initiative. */
    public static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress()
                || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 == 0                                   // "this" network
                    || (b0 == 100 && b1 >= 64 && b1 < 128)   // carrier-grade NAT 100.64/10
                    || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments 192.0.0/24
                    || (b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking 198.18/15
                    || b0 >= 240;                            // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            if ((b0 & 0xfe) == 0xfc) {                       // unique local fc00::/7 (holds fd00:ec2::254)
                return true;
            }
            if (isMappedOrCompatibleV4(b)) {                 // ::ffff:10.0.0.1 and friends
                try {
                    return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
            return (b0 == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8); // documentation
        }
        return true;
    }

    private static boolean isMappedOrCompatibleV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
    }
}
