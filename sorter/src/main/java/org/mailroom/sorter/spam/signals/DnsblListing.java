package org.mailroom.sorter.spam.signals;

import java.util.ArrayList;
import java.util.List;

import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.Signal;

/**
 * The client is on a DNS block list configured to score (not reject). A fixed weight per listing zone, capped:
 * DNSBL results are only known at SMTP time and are not in the messages the classifier learns from, so this weight
 * cannot be learned. The default ({@link #DEFAULT_WEIGHT}) is on the log-odds scale and taken from SpamAssassin's
 * mass-checked score for a Spamhaus ZEN listing (about 2.5 of its 5.0 threshold, i.e. half the evidence needed for
 * spam on its own, corresponding to log-odds ~2.0 here), so one listing alone does not send ham to Spam.
 */
public final class DnsblListing implements Signal {
    public static final double DEFAULT_WEIGHT = 2.0;
    private static final int MAX_ZONES_COUNTED = 2;

    private final double weight;

    public DnsblListing(double weight) {
        this.weight = weight;
    }

    public DnsblListing() {
        this(DEFAULT_WEIGHT);
    }

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        List<Score> scores = new ArrayList<>();
        List<String> zones = mail.session().dnsblZones();
        for (int i = 0; i < zones.size() && i < MAX_ZONES_COUNTED; i++) {
            String client = mail.session().clientAddress().orElse("the client");
            scores.add(new Score("dnsbl", Dimension.SPAM, weight, client + " listed in " + zones.get(i)));
        }
        return scores;
    }
}
