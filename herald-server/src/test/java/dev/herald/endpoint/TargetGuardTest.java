package dev.herald.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The address rules of the SSRF guard, and that they hold for what a resolver answers (the path every
 * delivery takes): a public name whose DNS answer is one of these forms is refused.
 */
class TargetGuardTest {
    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0 | this network", "0.255.255.255 | this network", "10.0.0.0 | private", "10.255.255.255 | private",
            "100.64.0.0 | carrier-grade NAT", "100.127.255.255 | carrier-grade NAT", "127.0.0.1 | loopback",
            "169.254.169.254 | metadata", "172.16.0.0 | private", "172.31.255.255 | private", "192.0.0.0 | IETF",
            "192.0.0.255 | IETF", "192.0.2.0 | documentation", "192.0.2.255 | documentation", "192.88.99.1 | 6to4 relay",
            "192.168.0.1 | private", "198.18.0.0 | benchmarking", "198.19.255.255 | benchmarking",
            "198.51.100.1 | documentation", "203.0.113.1 | documentation", "224.0.0.0 | multicast", "239.255.255.255 | multicast",
            "240.0.0.0 | reserved", "255.255.255.255 | broadcast",
            ":: | unspecified", "::1 | loopback", "::127.0.0.1 | IPv4-compatible", "::8.8.8.8 | IPv4-compatible",
            "64:ff9b::a9fe:a9fe | NAT64 address (64:ff9b::/96) of 169.254.169.254", "64:ff9b::a00:1 | of 10.0.0.1",
            "64:ff9b::c000:201 | documentation", "64:ff9b::ffff:ffff | broadcast",
            "64:ff9b:1::a00:1 | local-use NAT64", "64:ff9b:1::808:808 | local-use NAT64", "64:ff9b:1:ffff:: | local-use NAT64",
            "100:: | discard-only", "100::ffff:ffff:ffff:ffff | discard-only",
            "2001:: | Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo", "2001:0:808:808:0:0:f7f7:f7f7 | Teredo",
            "2001:1::1 | IETF", "2001:2::1 | IETF", "2001:20::1 | IETF", "2001:1ff:ffff::1 | IETF",
            "2001:db8:: | documentation", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff | documentation", "3fff:: | documentation",
            "3fff:fff:: | documentation",
            "2002:a9fe:a9fe:: | 6to4 address (2002::/16) of 169.254.169.254", "2002:7f00:1:: | loopback",
            "2002:a00:1:ffff:ffff:ffff:ffff:ffff | private", "2002:: | this network",
            "fc00:: | unique local", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | unique local", "fe80::1 | link-local",
            "febf:ffff:: | link-local", "fec0::1 | site-local", "feff:: | site-local", "ff00:: | multicast",
            "ff02::1 | multicast", "::1:0:0:0 | outside 2000::/3", "4000:: | outside 2000::/3", "5f00::1 | outside 2000::/3",
            "1:: | outside 2000::/3", "e000:: | outside 2000::/3"})
    void refused(String literal, String reason) throws Exception {
        assertThat(TargetGuard.refusal(address(literal))).as(literal).isNotNull().contains(reason);
        assertThat(TargetGuard.isPrivate(address(literal))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0.0.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "93.184.216.34", "100.63.255.255", "100.128.0.0",
            "126.255.255.255", "128.0.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.0.3.0",
            "192.88.98.255", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255",
            "203.0.112.255", "223.255.255.255",
            "2606:4700::1111", "2a00:1450:4001:81c::200e", "2000::1", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1",
            "3ffe:ffff::1", "3fff:1000::1", "2620:4f:8000::1",
            "64:ff9b::808:808", "64:ff9b::101:101", "64:ff9b::5db8:d822", "2002:808:808::1", "2002:5db8:d822::"})
    void allowed(String literal) throws Exception {
        assertThat(TargetGuard.refusal(address(literal))).as(literal).isNull();
    }

    @Test
    void anIpv4MappedAddressIsJudgedByItsIpv4PartEvenAsAnIpv6Object() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        // why: Java turns a mapped literal into an Inet4Address; an Inet6Address holding one can still be made
        InetAddress asV6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(asV6).isInstanceOf(Inet6Address.class);
        assertThat(TargetGuard.refusal(asV6)).contains("IPv4-mapped").contains("169.254.169.254");
        mapped[12] = 8;
        mapped[13] = 8;
        mapped[14] = 8;
        mapped[15] = 8;
        assertThat(TargetGuard.refusal(Inet6Address.getByAddress(null, mapped, -1))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:a9fe:a9fe::", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::127.0.0.1", "192.0.2.10", "198.18.0.1", "240.0.0.1", "255.255.255.255", "2001:db8::1", "ff02::1", "fec0::1"})
    void aNameResolvingToSuchAnAddressIsRefusedAtDelivery(String literal) throws Exception {
        InetAddress[] answer = {address("93.184.216.34"), address(literal)};
        TargetGuard guard = new TargetGuard(false, host -> answer.clone());
        assertThatThrownBy(() -> guard.resolve("partner.example"))
                .isInstanceOf(TargetGuard.PrivateTargetException.class)
                .hasMessageContaining("partner.example resolves to")
                .hasMessageContaining("HERALD_ALLOW_PRIVATE_TARGETS=true");
        assertThat(new TargetGuard(true, host -> answer.clone()).resolve("partner.example")).containsExactly(answer);
    }

    @Test
    void aNameResolvingToTheNat64FormOfAPublicAddressIsAllowed() throws Exception {
        InetAddress[] answer = {address("64:ff9b::808:808"), address("2606:4700::1111")};
        assertThat(new TargetGuard(false, host -> answer.clone()).resolve("partner.example")).containsExactly(answer);
    }
}
