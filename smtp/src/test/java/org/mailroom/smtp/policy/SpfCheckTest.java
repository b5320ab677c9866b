package org.mailroom.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.smtp.policy.SpfResult.Result;
import org.mailroom.testing.TestDnsServer;

/** SPF evaluation against a real DNS responder on loopback (dnsjava SimpleResolver → TestDnsServer). */
class SpfCheckTest {

    static TestDnsServer dns;
    static SpfCheck spf;

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start();
        spf = new SpfCheck(DnsClient.of(DnsSettings.of(dns.address(), Duration.ofMillis(500))), true);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @BeforeEach
    void clear() {
        dns.clear();
    }

    private static SpfResult check(String ip, String sender) throws Exception {
        return spf.evaluate(InetAddress.getByName(ip), sender, "client.example.org");
    }

    @Test
    void ip4Pass() throws Exception {
        dns.addTxt("example.org", "v=spf1 ip4:192.0.2.0/24 -all");
        SpfResult result = check("192.0.2.10", "someone@example.org");
        assertThat(result.result()).isEqualTo(Result.PASS);
        assertThat(result.mechanism()).isEqualTo("ip4:192.0.2.0/24");
        assertThat(result.identity()).isEqualTo("mailfrom");
    }

    @Test
    void failSoftfailNeutralByQualifier() throws Exception {
        dns.addTxt("fail.example", "v=spf1 ip4:192.0.2.1 -all");
        dns.addTxt("soft.example", "v=spf1 ~all");
        dns.addTxt("neutral.example", "v=spf1 ?all");
        dns.addTxt("default.example", "v=spf1 ip4:192.0.2.1");
        assertThat(check("198.51.100.7", "a@fail.example").result()).isEqualTo(Result.FAIL);
        assertThat(check("198.51.100.7", "a@soft.example").result()).isEqualTo(Result.SOFTFAIL);
        assertThat(check("198.51.100.7", "a@neutral.example").result()).isEqualTo(Result.NEUTRAL);
        assertThat(check("198.51.100.7", "a@default.example").result()).isEqualTo(Result.NEUTRAL);
    }

    @Test
    void noneWithoutARecordOrDomain() throws Exception {
        dns.addTxt("nospf.example", "some other text");
        assertThat(check("192.0.2.1", "a@nospf.example").result()).isEqualTo(Result.NONE);
        assertThat(check("192.0.2.1", "a@missing.example").result()).isEqualTo(Result.NONE);
    }

    @Test
    void ip6() throws Exception {
        dns.addTxt("six.example", "v=spf1 ip6:2001:db8::/32 -all");
        assertThat(check("2001:db8::25", "a@six.example").result()).isEqualTo(Result.PASS);
        assertThat(check("2001:db9::25", "a@six.example").result()).isEqualTo(Result.FAIL);
        assertThat(check("192.0.2.1", "a@six.example").result()).isEqualTo(Result.FAIL);
    }

    @Test
    void aAndMxMechanisms() throws Exception {
        dns.addTxt("a.example", "v=spf1 a a:other.a.example/24 -all");
        dns.addA("a.example", "192.0.2.5");
        dns.addA("other.a.example", "198.51.100.1");
        assertThat(check("192.0.2.5", "x@a.example").result()).isEqualTo(Result.PASS);
        assertThat(check("198.51.100.200", "x@a.example").result()).isEqualTo(Result.PASS);
        assertThat(check("192.0.2.6", "x@a.example").result()).isEqualTo(Result.FAIL);

        dns.addTxt("mx.example", "v=spf1 mx -all");
        dns.addMx("mx.example", 10, "mail1.mx.example");
        dns.addMx("mx.example", 20, "mail2.mx.example");
        dns.addA("mail1.mx.example", "203.0.113.1");
        dns.addAaaa("mail2.mx.example", "2001:db8::2");
        assertThat(check("203.0.113.1", "x@mx.example").result()).isEqualTo(Result.PASS);
        assertThat(check("2001:db8::2", "x@mx.example").result()).isEqualTo(Result.PASS);
        assertThat(check("203.0.113.2", "x@mx.example").result()).isEqualTo(Result.FAIL);
    }

    @Test
    void includeAndRedirect() throws Exception {
        dns.addTxt("inc.example", "v=spf1 include:_spf.provider.example -all");
        dns.addTxt("_spf.provider.example", "v=spf1 ip4:203.0.113.0/24 ~all");
        assertThat(check("203.0.113.9", "x@inc.example").result()).isEqualTo(Result.PASS);
        // The included record's ~all is "no match" for include; the outer -all decides.
        assertThat(check("192.0.2.9", "x@inc.example").result()).isEqualTo(Result.FAIL);

        dns.addTxt("red.example", "v=spf1 redirect=_spf.provider.example");
        assertThat(check("203.0.113.9", "x@red.example").result()).isEqualTo(Result.PASS);
        assertThat(check("192.0.2.9", "x@red.example").result()).isEqualTo(Result.SOFTFAIL);

        dns.addTxt("badinc.example", "v=spf1 include:nospf.example -all");
        assertThat(check("192.0.2.9", "x@badinc.example").result()).isEqualTo(Result.PERMERROR);
    }

    @Test
    void existsWithMacros() throws Exception {
        dns.addTxt("ex.example", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all");
        dns.addA("1.2.0.192.someone._spf.ex.example", "127.0.0.2");
        assertThat(check("192.0.2.1", "someone@ex.example").result()).isEqualTo(Result.PASS);
        assertThat(check("192.0.2.2", "someone@ex.example").result()).isEqualTo(Result.FAIL);
    }

    @Test
    void includeLoopIsAPermerror() throws Exception {
        dns.addTxt("loop.example", "v=spf1 include:loop.example -all");
        SpfResult result = check("192.0.2.1", "x@loop.example");
        assertThat(result.result()).isEqualTo(Result.PERMERROR);
        assertThat(result.problem()).contains("more than 10 DNS lookups");
    }

    @Test
    void moreThanTenLookupsIsAPermerror() throws Exception {
        StringBuilder record = new StringBuilder("v=spf1");
        for (int i = 1; i <= 11; i++) {
            record.append(" a:h").append(i).append(".many.example");
            dns.addA("h" + i + ".many.example", "198.51.100." + i);
        }
        dns.addTxt("many.example", record + " -all");
        assertThat(check("192.0.2.1", "x@many.example").result()).isEqualTo(Result.PERMERROR);
        // The 10th term still counts: a match before the limit passes.
        assertThat(check("198.51.100.10", "x@many.example").result()).isEqualTo(Result.PASS);
    }

    @Test
    void syntaxErrorsAndDuplicateRecordsArePermerrors() throws Exception {
        dns.addTxt("typo.example", "v=spf1 ip4:192.0.2.300 -all");
        dns.addTxt("unknown.example", "v=spf1 foo:bar -all");
        dns.addTxt("two.example", "v=spf1 -all");
        dns.addTxt("two.example", "v=spf1 +all");
        assertThat(check("192.0.2.1", "x@typo.example").result()).isEqualTo(Result.PERMERROR);
        assertThat(check("192.0.2.1", "x@unknown.example").result()).isEqualTo(Result.PERMERROR);
        assertThat(check("192.0.2.1", "x@two.example").result()).isEqualTo(Result.PERMERROR);
    }

    @Test
    void voidLookupLimit() throws Exception {
        dns.addTxt("void.example", "v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example -all");
        assertThat(check("192.0.2.1", "x@void.example").result()).isEqualTo(Result.PERMERROR);
    }

    @Test
    void dnsFailureIsATemperror() throws Exception {
        dns.failWith("broken.example");
        assertThat(check("192.0.2.1", "x@broken.example").result()).isEqualTo(Result.TEMPERROR);
        dns.setSilent(true);
        long start = System.nanoTime();
        assertThat(check("192.0.2.1", "x@example.org").result()).isEqualTo(Result.TEMPERROR);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void nullSenderChecksTheHeloName() throws Exception {
        dns.addTxt("client.example.org", "v=spf1 ip4:192.0.2.44 -all");
        SpfResult result = spf.evaluate(InetAddress.getByName("192.0.2.44"), null, "client.example.org");
        assertThat(result.result()).isEqualTo(Result.PASS);
        assertThat(result.identity()).isEqualTo("helo");
        assertThat(result.sender()).isEqualTo("postmaster@client.example.org");
    }

    @Test
    void longRecordSplitAcrossStringsAndTcpFallback() throws Exception {
        StringBuilder record = new StringBuilder("v=spf1");
        for (int i = 1; i <= 40; i++) {
            record.append(" ip4:198.51.").append(i).append(".0/24");
        }
        dns.addTxt("long.example", record + " ip4:192.0.2.77 -all");
        for (int i = 0; i < 6; i++) {
            dns.addTxt("long.example", "filler record number " + i + " ".repeat(200));
        }
        assertThat(check("192.0.2.77", "x@long.example").result()).isEqualTo(Result.PASS);
    }
}
