package org.mailroom.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mailroom.testing.TestDnsServer;

/** Query names and per-zone outcomes against a real DNS responder on loopback. */
class DnsblCheckTest {

    @Test
    void reversedNamesForIpv4AndIpv6Nibbles() throws Exception {
        assertThat(DnsblCheck.reversed(InetAddress.getByName("192.0.2.99"))).isEqualTo("99.2.0.192");
        assertThat(DnsblCheck.reversed(InetAddress.getByName("2001:db8::567:89ab")))
            .isEqualTo("b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    }

    @Test
    void listsIpv6ClientsAndIgnoresErrorCodesAndFailingZones() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start()) {
            String v6 = "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
            dns.addA(v6 + ".six.test", "127.0.0.3");
            dns.addA(v6 + ".refused.test", "127.255.255.254");
            dns.failWith(v6 + ".broken.test");
            DnsblCheck check = new DnsblCheck(List.of(DnsblZone.score("six.test"), DnsblZone.reject("refused.test"),
                DnsblZone.reject("broken.test"), DnsblZone.reject("clean.test")),
                DnsClient.of(DnsSettings.of(dns.address(), Duration.ofMillis(500))), false);
            assertThat(check.lookup(InetAddress.getByName("2001:db8::567:89ab"))).singleElement()
                .isEqualTo(new DnsblResult("six.test", DnsblZone.Action.SCORE, List.of("127.0.0.3"),
                    "client address listed"));
        }
    }
}
