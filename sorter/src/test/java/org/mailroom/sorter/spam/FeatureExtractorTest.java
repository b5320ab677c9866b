package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.spam.signals.StructureChecks;

class FeatureExtractorTest {
    private final FeatureExtractor extractor = new FeatureExtractor(StructureChecks.standard());

    private Map<Long, String> named(MailContent content) {
        Map<Long, String> names = new HashMap<>();
        extractor.extract(content, SessionFacts.none(), new FeatureExtractor.NamingSink() {
            @Override
            public void feature(long hash) {
                names.putIfAbsent(hash, "?");
            }

            @Override
            public boolean wantsName(long hash) {
                return true;
            }

            @Override
            public void name(long hash, String name) {
                names.put(hash, name);
            }
        });
        return names;
    }

    @Test
    void wordsPairsHeadersAndNumbersByShape() {
        MailContent content = TestMails.parse("""
            From: "Shop" <offers@mail.shop.example.co.uk>
            To: alice@example.test
            Subject: Save $25.00 today
            Message-ID: <ABC123.456@mx.shop.example.co.uk>
            Received: from relay.example.net (relay.example.net [192.0.2.33]) by mx.example.test
            X-Mailer: Blaster 3.1

            Order NOW at www.shop.example, only 12,99!
            """);
        Map<Long, String> names = named(content);

        assertThat(names.values()).contains("s:save", "s:$99.99", "s:save $99.99", "s:save * today",
            "b:order", "b:now", "b:order now", "b:order * at", "b:www.shop.example", "b:99", "fromdom:example.co.uk", "from:offers@mail.shop.example.co.uk",
            "midlocal:<A9.9", "middom:example.co.uk", "rcvip:192.0", "rcvip:192.0.2", "rcvhost:example.net",
            "x-mailer:Aa 9.9", "h:x-mailer", "no Date header");
        assertThat(names.values()).doesNotContain("s:25.00", "b:Order");
    }

    @Test
    void listRelayedMailShowsWhereItEnteredTheListAndWhichSitesItNames() {
        // Seven hops: the newest five are the list's and the mailbox's servers; the oldest two are where the post
        // entered the list, which is what tells a spam posted to the list from a member's post.
        Map<Long, String> names = named(TestMails.parse("""
            From: member@example.org
            Subject: new url
            List-Id: Friends <friends.lists.example>
            Received: from a.example.test by b.example.test; Tue, 3 Sep 2002 18:05:00 +0000
            Received: from c.example.test by a.example.test; Tue, 3 Sep 2002 18:04:00 +0000
            Received: from d.example.test by c.example.test; Tue, 3 Sep 2002 18:03:00 +0000
            Received: from lists.example by d.example.test; Tue, 3 Sep 2002 18:02:00 +0000
            Received: from localhost by lists.example; Tue, 3 Sep 2002 18:01:00 +0000
            Received: from dsl-1.cheap-isp.example (dsl-1.cheap-isp.example [198.51.100.7]) by lists.example
            Received: from mx1.mail.example.net [203.0.113.9] by dsl-1.cheap-isp.example

            Cheap cartridges at http://www.Toner-Deals.example/order?id=9 and www.ink.example.co.uk today.
            """));
        assertThat(names.values()).contains("rcvhost:cheap-isp.example", "rcvip:198.51.100", "rcvip:203.0.113",
            "urldom:toner-deals.example", "urldom:example.co.uk", "sites:2-3", "hops:6-8");

        Map<Long, String> plain = named(TestMails.parse("""
            From: bob@example.org
            Subject: hello
            Received: from relay.example.net by mx.example.test; Tue, 3 Sep 2002 18:05:00 +0000

            No links here, just a note about www and http.
            """));
        assertThat(plain.values()).contains("sites:0").noneMatch(n -> n.startsWith("urldom:"));
    }

    @Test
    void textLinkDomainsNeedAHostWithADot() {
        assertThat(RelayAndLinkFeatures.textLinkDomains("see http://localhost/x, https://A.B.example/y, "
            + "awww.no.example and (www.yes.example)", 1000)).containsExactlyInAnyOrder("b.example", "yes.example");
        assertThat(RelayAndLinkFeatures.textLinkDomains("http://cut.example", 10)).isEmpty();
    }

    @Test
    void hopsAndHowFarTheDateIsFromArrival() {
        Map<Long, String> near = named(TestMails.parse("""
            From: bob@example.org
            Subject: hello
            Date: Tue, 3 Sep 2002 14:02:11 -0400 (EDT)
            Received: from relay.example.net by mx.example.test; Tue, 3 Sep 2002 18:05:00 +0000
            Received: from laptop by relay.example.net; Tue, 3 Sep 2002 14:02:30 -0400

            Hi there
            """));
        assertThat(near.values()).contains("hops:2", "dateskew:near");

        Map<Long, String> old = named(TestMails.parse("""
            From: bulk@example.org
            Subject: offer
            Date: Sun, 1 Sep 2002 10:00:00 +0000
            Received: from relay.example.net by mx.example.test; Tue, 3 Sep 2002 18:05:00 +0000

            Buy
            """));
        assertThat(old.values()).contains("hops:1", "dateskew:past<7d");

        Map<Long, String> ahead = named(TestMails.parse("""
            From: bulk@example.org
            Date: Tue, 3 Sep 2002 21:00:00 +0000
            Received: from relay.example.net by mx.example.test; Tue, 3 Sep 2002 18:05:00 +0000

            Buy
            """));
        assertThat(ahead.values()).contains("dateskew:future>1h");

        Map<Long, String> garbled = named(TestMails.parse("""
            From: bulk@example.org
            Date: sometime soon
            Received: from relay.example.net by mx.example.test; Tue, 3 Sep 2002 18:05:00 +0000

            Buy
            """));
        assertThat(garbled.values()).contains("dateskew:unreadable");
    }

    @Test
    void provenanceFeaturesAreBoostedCopies() {
        Map<Long, String> names = named(TestMails.parse("""
            From: someone@example.org
            Subject: hello
            Date: Mon, 29 Jul 2002 12:21:13 -0700
            Message-Id: <20020729192136.625112940D7@lists.example>
            Received: from lists.example by mx.example.test id Q1234567; Mon, 29 Jul 2002 12:22:09 -0700
            Received: from 210.99.184.3 by lists.example (Postfix) with SMTP id 625112940D7; Mon, 29 Jul 2002 12:21:36 -0700
            Received: from 82.60.152.190 by smtp4.example.com with QMQP; Jul, 29 2002 11:53:58 AM +0700

            Buy
            """)).entrySet().stream().filter(e -> e.getValue().startsWith("midbyrelay:"))
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(names).hasSize(FeatureExtractor.BOOST).containsValue("midbyrelay:relay");
    }

    @Test
    void obfuscationAndVisibleTextShare() {
        Map<Long, String> tricked = named(TestMails.parse("""
            From: bulk@example.org
            Subject: account
            Content-Type: text/plain; charset=utf-8

            Your p\u0430ypal acc\u200bount is locked
            """));
        assertThat(tricked.values()).contains("obfusc:invisible", "obfusc:mixedscript");

        Map<Long, String> honest = named(TestMails.parse("""
            From: bob@example.org
            Subject: lunch
            Content-Type: text/plain; charset=utf-8

            Lunch at noon? Встреча в полдень, ok
            """));
        assertThat(honest.values()).doesNotContain("obfusc:invisible", "obfusc:mixedscript")
            .anyMatch(n -> n.startsWith("textratio:"));
    }

    @Test
    void theSameMessageAlwaysGivesTheSameFeatures() {
        MailContent content = TestMails.ham(3);
        assertThat(named(content).keySet()).isEqualTo(named(TestMails.ham(3)).keySet());
    }

    @Test
    void longBodiesAreCutAtTheLimit() {
        String body = "word ".repeat(FeatureExtractor.MAX_BODY_CHARS);
        MailContent short1 = TestMails.parse("Subject: a\n\n" + body + "\n");
        MailContent longer = TestMails.parse("Subject: a\n\n" + body + " extra tail words here\n");
        assertThat(named(short1).keySet()).isEqualTo(named(longer).keySet());
    }
}
