package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ProvenanceFeaturesTest {

    private static List<String> features(String messageId, String date, String... received) {
        List<String> out = new ArrayList<>();
        OptionalLong sent = date == null ? OptionalLong.empty() : MailDate.epochSeconds(date);
        ProvenanceFeatures.extract(List.of(received), messageId, sent, (p, v) -> out.add(p + ":" + v));
        return out;
    }

    @Test
    void aMessageIdMadeByAListServerFromItsQueueId() {
        // The corpus's "Re: my pic": the spammer's program wrote no Message-ID, the list's Postfix gave it one.
        List<String> found = features("<20020801234323.A2A08294098@xent.com>", "Fri, 02 Aug 2002 06:32:16 +0700",
            "from lair.xent.com (localhost [127.0.0.1]) by xent.com (Postfix) with ESMTP id E477529409A;"
                + " Thu,  1 Aug 2002 16:44:02 -0700 (PDT)",
            "from get2free.com (unknown [203.155.241.37]) by xent.com (Postfix) with SMTP id A2A08294098 for"
                + " <fork@xent.com>; Thu, 1 Aug 2002 16:43:23 -0700 (PDT)",
            "from 202.59.254.86.idn.co.th (HELO 192.168.0.0) (202.59.254.86) by 0 with SMTP;"
                + " 2 Aug 2002 10:24:08 -0000");
        assertThat(found).contains("midbyrelay:relay", "rcvorder:backwards", "origindateskew:past<1d");
        assertThat(found).doesNotContain("rcvdate:unreadable");
    }

    @Test
    void aMessageIdMadeByTheFirstServerAndAnHonestChain() {
        List<String> found = features("<200208081236.IAA08924@virtual.auracom.net>", "Thu, 8 Aug 2002 08:36:28 -0400",
            "from virtual.auracom.net (virtual.auracom.net [165.154.140.44]) by lugh.tuatha.org (8.9.3/8.9.3) with"
                + " ESMTP id NAA15458 for <ilug@linux.ie>; Thu, 8 Aug 2002 13:37:01 +0100",
            "by virtual.auracom.net (8.9.0/8.9.0) id IAA08924; Thu, 8 Aug 2002 08:36:28 -0400 (EDT)");
        assertThat(found).containsExactly("midbyrelay:origin", "origindateskew:near");
    }

    @Test
    void forgedReceivedDatesAreNamed() {
        List<String> found = features("<abc.def@client.example>", "Mon, 29 Jul 2002 12:21:13 -0700",
            "from 210.99.184.3 (unknown [210.100.202.125]) by xent.com (Postfix) with SMTP id 625112940D7;"
                + " Mon, 29 Jul 2002 12:21:36 -0700 (PDT)",
            "from 82.60.152.190 ([82.60.152.190]) by smtp4.cyberec.com with QMQP; Jul, 29 2002 11:53:58 AM +0700");
        assertThat(found).containsExactly("rcvdate:unreadable", "origindateskew:near");
    }

    @Test
    void shortIdsAndSingleHopsSayNothing() {
        // "id 12" is too short to be a queue id that could match by chance; one hop has no origin beyond arrival.
        assertThat(features("<12.x@example.org>", "Mon, 29 Jul 2002 12:21:13 -0700",
            "from a.example by b.example id 12; Mon, 29 Jul 2002 12:21:36 -0700")).isEmpty();
        assertThat(features(null, null)).isEmpty();
    }
}
