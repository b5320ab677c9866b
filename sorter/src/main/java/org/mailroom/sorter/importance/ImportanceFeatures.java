package org.mailroom.sorter.importance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.mailroom.sorter.message.HeaderField;
import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;

/**
 * Describes one received message, as one user sees it now, by named features (social, thread, addressing, content,
 * explicit headers). Reads the headers a sender controls and the user's history; never the mailbox-export headers
 * {@link #IGNORED_HEADERS}, which name the folder a message was filed in and would leak the answer.
 */
final class ImportanceFeatures {

    /**
     * The contact-statistics row holding a user's totals (all mail received, all of it answered): not an address,
     * so no correspondent collides with it.
     */
    static final String TOTALS = "*";

    /**
     * The user key under which every user's history with a correspondent is summed (what the whole server received
     * from an address, how often anyone answered it or wrote to it): not an address, so no user collides with it.
     */
    static final String POPULATION = "*all";

    /** Headers the model must never read (they record where the user filed the message: the label itself). */
    static final Set<String> IGNORED_HEADERS = Set.of("x-folder", "x-origin", "x-filename");

    /** Body words looked at: the start of what the sender wrote is what the user reads before deciding. */
    static final int MAX_BODY_WORDS = 60;
    static final int MAX_SUBJECT_WORDS = 12;
    static final int MAX_BODY_CHARS = 4000;

    static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "you", "that", "this", "with", "are",
        "have", "will", "from", "your", "our", "not", "but", "can", "all", "was", "has", "any", "its", "been", "there",
        "they", "their", "would", "could", "what", "which", "when", "who", "about", "into", "them", "than", "then");

    private static final String[] NO_REPLY_MARKS = {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
        "do_not_reply", "mailer-daemon", "postmaster", "bounce", "notification", "newsletter", "news", "announce",
        "alert", "info", "marketing", "admin", "help", "support", "list", "digest", "update", "service", "mailman",
        "owner-", "-request", "automated", "system"};

    static final String[] QUOTE_MARKERS = {"-----original message-----", "----- forwarded by",
        "---------------------- forwarded by", "-----forwarded message-----", "---------- forwarded message",
        "\n>", "\nfrom: ", "wrote:\n"};

    /** One named piece of evidence with its value and, for the explanation, what it means in words. */
    record Feature(FeatureGroup group, String name, float value, String reason) {
    }

    private ImportanceFeatures() {
    }

    /**
     * Whether a feature is one of the many rare ones (words, the sender's address or domain) rather than the few
     * behaviour features every message has: the model learns the rare ones more slowly ({@code denseScale}).
     */
    static boolean isSparse(Feature f) {
        return f.group() == FeatureGroup.CONTENT && (f.name().startsWith("s:") || f.name().startsWith("b:"))
            || f.name().startsWith("from:") || f.name().startsWith("domain:");
    }

    /** The header view the model uses: {@code content}'s headers without {@link #IGNORED_HEADERS}. */
    static MailContent withoutIgnoredHeaders(MailContent content) {
        boolean any = false;
        for (HeaderField field : content.headers()) {
            if (isIgnored(field.name())) {
                any = true;
                break;
            }
        }
        if (!any) {
            return content;
        }
        List<HeaderField> kept = content.headers().stream().filter(f -> !isIgnored(f.name())).toList();
        return content.withHeaders(kept);
    }

    /**
     * Whether {@code name} lower-cased ({@code Locale.ROOT}) is one of {@link #IGNORED_HEADERS}, without a
     * lower-cased copy of every header name of every decision: compared in ASCII, where a non-ASCII character never
     * matches (the only ones that lower-case to ASCII, the Kelvin sign to 'k' and 'İ' to "i" plus a combining dot,
     * cannot make any of those names).
     */
    static boolean isIgnored(String name) {
        for (String ignored : IGNORED_HEADERS) {
            if (equalsAsciiLowerCase(name, ignored)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} with ASCII upper case lowered equals the lower-case ASCII {@code lower}. */
    private static boolean equalsAsciiLowerCase(String text, String lower) {
        if (text.length() != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The first From address, lower-cased, or empty. */
    static String sender(MailContent content) {
        List<MailAddress> from = content.from();
        return from.isEmpty() ? "" : from.get(0).address();
    }

    static List<Feature> extract(String user, Set<String> own, MailContent content, Instant at, ImportanceState state) {
        List<Feature> out = new ArrayList<>(120);
        out.add(new Feature(FeatureGroup.PRIOR, "bias", 1f, "base rate"));
        // The user's own answer rate so far: lets the shared model place a user it has few labels for.
        ContactStats totals = state.contact(user, TOTALS);
        out.add(new Feature(FeatureGroup.PRIOR, "user-rate", (float) (logit((totals.replied() + 1.0) / (totals.received() + 10.0)) / 4),
            "your usual share of important mail"));
        // How long since the user last sent anything: a user who is writing mail these days answers mail; one who
        // has not sent for a week (away, or using another client) answers little of what arrives meanwhile.
        out.add(new Feature(FeatureGroup.PRIOR, "active:" + activityBucket(totals.lastSent(), at), 1f,
            totals.lastSent().map(t -> "you last sent mail " + ago(t, at)).orElse("you have not sent mail yet")));
        String sender = sender(content);
        social(user, sender, content, at, state, out);
        thread(user, content, at, state, out);
        conversation(user, sender, content, at, state, out);
        addressing(own, sender, content, out);
        header(content, out);
        content(own, content, out);
        return out;
    }

    private static void social(String user, String sender, MailContent content, Instant at, ImportanceState state,
                               List<Feature> out) {
        if (sender.isEmpty()) {
            out.add(new Feature(FeatureGroup.SOCIAL, "sender:none", 1f, "no sender address"));
            return;
        }
        ContactStats c = state.contact(user, sender);
        out.add(new Feature(FeatureGroup.SOCIAL, "sentto:" + bucket(c.sentTo()), 1f,
            c.sentTo() == 0 ? "you never wrote to this sender" : "you wrote to this sender " + times(c.sentTo())));
        out.add(new Feature(FeatureGroup.SOCIAL, "replied:" + bucket(c.replied()), 1f,
            c.replied() == 0 ? "you never replied to this sender" : "you replied to this sender " + times(c.replied())));
        out.add(new Feature(FeatureGroup.SOCIAL, "received:" + bucket(c.received()), 1f,
            c.received() == 0 ? "first message from this sender" : "you received " + c.received() + " earlier from this sender"));
        String answered = "you answered " + c.replied() + " of " + c.received() + " messages from this sender";
        // Smooth counterparts of the buckets: a linear model generalises along them where buckets are sparse.
        double smoothRate = (c.replied() + 0.1) / (c.received() + 1.0);
        out.add(new Feature(FeatureGroup.SOCIAL, "rate", (float) smoothRate,
            answered));
        out.add(new Feature(FeatureGroup.SOCIAL, "rate-logit", (float) (logit(smoothRate) / 4),
            answered));
        out.add(new Feature(FeatureGroup.SOCIAL, "log-sentto", (float) (Math.log1p(c.sentTo()) / 3),
            c.sentTo() == 0 ? "you never wrote to this sender" : "you wrote to this sender " + times(c.sentTo())));
        out.add(new Feature(FeatureGroup.SOCIAL, "log-replied", (float) (Math.log1p(c.replied()) / 3),
            c.replied() == 0 ? "you never replied to this sender" : "you replied to this sender " + times(c.replied())));
        out.add(new Feature(FeatureGroup.SOCIAL, "log-received", (float) (Math.log1p(c.received()) / 3),
            "you received " + c.received() + " earlier from this sender"));
        if (c.received() > 0) {
            double rate = (c.replied() + 0.2) / (c.received() + 1.0);
            int rateBin = rate < 0.02 ? 0 : rate < 0.05 ? 1 : rate < 0.1 ? 2 : rate < 0.2 ? 3 : rate < 0.35 ? 4 : rate < 0.6 ? 5 : 6;
            out.add(new Feature(FeatureGroup.SOCIAL, "replyrate:" + rateBin, 1f,
                answered));
            out.add(new Feature(FeatureGroup.SOCIAL, "replyrate:" + rateBin + ":recv" + Math.min(bucket(c.received()), 4), 1f,
                answered));
        }
        out.add(new Feature(FeatureGroup.SOCIAL, "lastsent:" + ageBucket(c.lastSent(), at), 1f,
            c.lastSent().map(t -> "you last wrote to this sender " + ago(t, at)).orElse("you never wrote to this sender")));
        out.add(new Feature(FeatureGroup.SOCIAL, "lastreceived:" + ageBucket(c.lastReceived(), at), 1f,
            c.lastReceived().map(t -> "last message from this sender " + ago(t, at)).orElse("first message from this sender")));
        if (c.sentTo() > 0 && c.replied() == 0 && c.received() >= 3) {
            out.add(new Feature(FeatureGroup.SOCIAL, "written-never-answered", 1f,
                "you write to this sender but never answered their mail"));
        }
        population(sender, state, out);
        out.add(new Feature(FeatureGroup.SOCIAL, "from:" + sender, 1f, "mail from " + sender));
        String domain = sender.substring(sender.lastIndexOf('@') + 1);
        out.add(new Feature(FeatureGroup.SOCIAL, "domain:" + domain, 1f, "mail from the domain " + domain));
    }

    /**
     * What everyone on this server did with this sender's mail: an address many users receive from and nobody
     * answers or writes to is a broadcaster (announcements, reports, newsletters with a personal-looking sender);
     * one people write to is a person. Label-free for the user being scored, and known for a sender the user has
     * never heard from.
     */
    private static void population(String sender, ImportanceState state, List<Feature> out) {
        ContactStats p = state.contact(POPULATION, sender);
        out.add(new Feature(FeatureGroup.SOCIAL, "pop-received:" + bucket(p.received()), 1f,
            "this server received " + p.received() + " messages from this sender"));
        out.add(new Feature(FeatureGroup.SOCIAL, "pop-sentto:" + bucket(p.sentTo()), 1f,
            p.sentTo() == 0 ? "nobody here ever wrote to this sender" : "people here wrote to this sender " + times(p.sentTo())));
        if (p.received() > 0) {
            double rate = (p.replied() + 0.2) / (p.received() + 1.0);
            int bin = rate < 0.02 ? 0 : rate < 0.05 ? 1 : rate < 0.1 ? 2 : rate < 0.2 ? 3 : rate < 0.35 ? 4 : 5;
            out.add(new Feature(FeatureGroup.SOCIAL, "pop-rate:" + bin, 1f,
                "people here answered " + p.replied() + " of " + p.received() + " messages from this sender"));
        }
    }

    /**
     * The user's exchange with this sender on this subject: whether the user wrote to them in it (and how
     * recently), or they keep writing in it unanswered. The label a reply gives is exactly "the user answers this
     * person on this subject", and a conversation under way is its best label-free predictor.
     */
    private static void conversation(String user, String sender, MailContent content, Instant at,
                                     ImportanceState state, List<Feature> out) {
        String key = ThreadKeys.subject(content.subject());
        if (sender.isEmpty() || key.isEmpty()) {
            return;
        }
        ThreadStats pair = state.thread(user, ThreadKeys.conversation(sender, key));
        if (pair.sent() > 0) {
            out.add(new Feature(FeatureGroup.THREAD, "conv:wrote:" + Math.min(bucket(pair.sent()), 3) + ":"
                + ageBucket(pair.lastActivity(), at), 1f,
                "you wrote to this sender on this subject " + times(pair.sent())));
            if (pair.startedByUser()) {
                out.add(new Feature(FeatureGroup.THREAD, "conv:started", 1f, "you started this conversation with them"));
            }
        } else if (pair.received() > 0) {
            out.add(new Feature(FeatureGroup.THREAD, "conv:unanswered:" + Math.min(bucket(pair.received()), 4), 1f,
                "they wrote " + pair.received() + " times on this subject without an answer from you"));
        }
    }

    private static void thread(String user, MailContent content, Instant at, ImportanceState state,
                               List<Feature> out) {
        String subject = content.subject();
        String key = ThreadKeys.subject(subject);
        boolean reply = ThreadKeys.isReply(subject);
        boolean forward = ThreadKeys.isForward(subject);
        if (key.isEmpty()) {
            out.add(new Feature(FeatureGroup.THREAD, "subject:empty", 1f, "no subject"));
        } else {
            ThreadStats t = state.thread(user, key);
            if (!t.isNew()) {
                out.add(new Feature(FeatureGroup.THREAD, "thread:active:" + ageBucket(t.lastActivity(), at)
                    + (t.sent() > 0 ? ":joined" : ""), 1f, "the conversation's last message was "
                    + t.lastActivity().map(x -> ago(x, at)).orElse("never")));
            }
            if (t.startedByUser()) {
                out.add(new Feature(FeatureGroup.THREAD, reply ? "thread:started:re" : "thread:started", 1f,
                    "a thread you started"));
            } else if (t.sent() > 0) {
                out.add(new Feature(FeatureGroup.THREAD, "thread:joined:" + bucket(t.sent()) + (reply ? ":re" : ""), 1f,
                    "a thread you wrote in " + times(t.sent())));
            } else if (t.received() > 0) {
                out.add(new Feature(FeatureGroup.THREAD, "thread:silent:" + bucket(t.received()), 1f,
                    "a thread you received " + t.received() + " messages of and never wrote in"));
            } else {
                out.add(new Feature(FeatureGroup.THREAD, "thread:new", 1f, "a new conversation"));
            }
        }
        for (String id : ThreadKeys.references(content)) {
            ThreadStats byId = state.thread(user, ThreadKeys.messageIdKey(id));
            if (byId.sent() > 0) {
                out.add(new Feature(FeatureGroup.THREAD, "inreplyto:user", 1f, "an answer to a message you sent"));
                break;
            }
        }
        if (reply) {
            out.add(new Feature(FeatureGroup.THREAD, "subject:re", 1f, "a reply"));
        }
        if (forward) {
            out.add(new Feature(FeatureGroup.THREAD, "subject:fw", 1f, "a forward"));
        }
    }

    private static void addressing(Set<String> own, String sender, MailContent content, List<Feature> out) {
        List<MailAddress> to = content.to();
        List<MailAddress> cc = content.cc();
        boolean inTo = to.stream().anyMatch(a -> own.contains(a.address()));
        boolean inCc = !inTo && cc.stream().anyMatch(a -> own.contains(a.address()));
        int recipients = to.size() + cc.size();
        String where = inTo ? "to" : inCc ? "cc" : "none";
        out.add(new Feature(FeatureGroup.ADDRESSING, "addressed:" + where, 1f,
            inTo ? "sent to you" : inCc ? "you are in Cc" : "you are not in To or Cc"));
        int rb = recipients <= 1 ? recipients : recipients <= 2 ? 2 : recipients <= 4 ? 3 : recipients <= 9 ? 4
            : recipients <= 25 ? 5 : 6;
        out.add(new Feature(FeatureGroup.ADDRESSING, "recipients:" + rb + ":" + where, 1f,
            recipients <= 1 ? "sent to you alone" : "sent to " + recipients + " recipients"));
        if (own.contains(sender)) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "from:self", 1f, "sent by you"));
        }
        if (!sender.isEmpty()) {
            String senderDomain = sender.substring(sender.lastIndexOf('@') + 1);
            boolean colleague = own.stream().anyMatch(a -> a.endsWith("@" + senderDomain));
            out.add(new Feature(FeatureGroup.ADDRESSING, colleague ? "sender:colleague" : "sender:outside", 1f,
                colleague ? "from your own domain" : "from outside your domain"));
        }
        String local = sender.indexOf('@') > 0 ? sender.substring(0, sender.indexOf('@')) : sender;
        for (String mark : NO_REPLY_MARKS) {
            if (local.contains(mark)) {
                out.add(new Feature(FeatureGroup.ADDRESSING, "sender:automated", 1f, "an automated sender address"));
                break;
            }
        }
        boolean list = content.header("List-Id").isPresent() || content.header("List-Unsubscribe").isPresent()
            || content.header("List-Post").isPresent() || content.header("Mailing-List").isPresent();
        if (list) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "list", 1f, "mailing-list mail"));
        }
        String precedence = content.header("Precedence").orElse("").strip().toLowerCase(Locale.ROOT);
        if (precedence.equals("bulk") || precedence.equals("list") || precedence.equals("junk")) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "precedence:" + precedence, 1f, "marked as " + precedence + " mail"));
        }
        String auto = content.header("Auto-Submitted").orElse("no").strip().toLowerCase(Locale.ROOT);
        if (!auto.startsWith("no")) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "auto-submitted", 1f, "sent automatically"));
        }
        if (content.header("Reply-To").isPresent() && !content.replyTo().isEmpty()
            && !content.replyTo().get(0).address().equals(sender)) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "reply-to:other", 1f, "replies go to another address"));
        }
    }

    private static void header(MailContent content, List<Feature> out) {
        String importance = content.header("Importance").orElse("").strip().toLowerCase(Locale.ROOT);
        String priority = content.header("X-Priority").orElse("").strip();
        String msPriority = content.header("X-MSMail-Priority").orElse("").strip().toLowerCase(Locale.ROOT);
        boolean high = importance.equals("high") || priority.startsWith("1") || priority.startsWith("2")
            || msPriority.equals("high") || content.header("Priority").orElse("").strip().equalsIgnoreCase("urgent");
        boolean low = importance.equals("low") || priority.startsWith("4") || priority.startsWith("5")
            || msPriority.equals("low") || content.header("Priority").orElse("").strip().equalsIgnoreCase("non-urgent");
        if (high) {
            out.add(new Feature(FeatureGroup.HEADER, "priority:high", 1f, "the sender marked it important"));
        } else if (low) {
            out.add(new Feature(FeatureGroup.HEADER, "priority:low", 1f, "the sender marked it unimportant"));
        }
    }

    private static void content(Set<String> own, MailContent content, List<Feature> out) {
        ContentScan.Words words = new ContentScan.Words();
        String subject = ThreadKeys.subject(content.subject());
        List<String> subjectWords = new ArrayList<>();
        ContentScan.scan(subject, subject.length(), false, words, subjectWords, MAX_SUBJECT_WORDS);
        // The own text and its words in one pass over the body.
        String text = content.text();
        List<String> bodyWords = new ArrayList<>();
        String body = text.substring(0,
            ContentScan.scan(text, Math.min(text.length(), MAX_BODY_CHARS), true, words, bodyWords, MAX_BODY_WORDS));
        int n = subjectWords.size() + bodyWords.size();
        float weight = n == 0 ? 0f : (float) (1.0 / Math.sqrt(n));
        for (String w : subjectWords) {
            out.add(new Feature(FeatureGroup.CONTENT, "s:" + w, weight, "the subject word '" + w + "'"));
        }
        for (String w : bodyWords) {
            out.add(new Feature(FeatureGroup.CONTENT, "b:" + w, weight, "the word '" + w + "'"));
        }
        int length = body.length();
        int lb = length < 100 ? 0 : length < 400 ? 1 : length < 1500 ? 2 : 3;
        out.add(new Feature(FeatureGroup.CONTENT, "bodylength:" + lb, 1f, "body length"));
        Set<String> names = Salutation.names(own, content.to(), content.cc());
        Salutation.Kind greeting = Salutation.greeting(body, names);
        out.add(new Feature(FeatureGroup.ADDRESSING, greeting.feature, 1f, greeting.reason));
        if (greeting != Salutation.Kind.YOU && Salutation.mentions(body, names)) {
            out.add(new Feature(FeatureGroup.ADDRESSING, "mentions:you", 1f, "it mentions your name"));
        }
        // The start of what it quotes or forwards: the quoted header or "X wrote:" naming the user means it answers
        // (or passes on) the user's own mail.
        if (body.length() < text.length()) {
            String quoted = text.substring(body.length(), Math.min(text.length(), body.length() + 300));
            if (Salutation.mentions(quoted, names)) {
                out.add(new Feature(FeatureGroup.THREAD, "quotes:you", 1f, "it quotes your mail"));
            }
        }
        if (body.indexOf('?') >= 0) {
            out.add(new Feature(FeatureGroup.CONTENT, "question", 1f, "it asks a question"));
        }
        if (body.length() < content.text().length() - 20) {
            out.add(new Feature(FeatureGroup.CONTENT, "quotes-earlier-mail", 1f, "it quotes or forwards earlier mail"));
        }
        int attachments = content.attachments().size();
        if (attachments > 0) {
            out.add(new Feature(FeatureGroup.CONTENT, "attachments:" + Math.min(attachments, 3), 1f, "it has attachments"));
        }
        if (content.hasHtml() && !content.hasPlain()) {
            out.add(new Feature(FeatureGroup.CONTENT, "html-only", 1f, "an HTML-only message"));
        }
    }

    /**
     * The text the sender wrote: the body up to the first quoted or forwarded block, bounded ({@link ContentScan}).
     * The markers are found case-insensitively in place (no lower-cased copy of the text). Before, they were looked up
     * in a lower-cased copy whose positions were used on the original, which broke on 'İ' (two characters when
     * lower-cased): the cut fell too late, or past the end (an exception, so no importance score at all for such mail).
     */
    static String ownText(String text) {
        return text.substring(0,
            ContentScan.scan(text, Math.min(text.length(), MAX_BODY_CHARS), true, new ContentScan.Words(), List.of(), 0));
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** 0, 1, 2, 3-4, 5-8, 9-16, 17-32, 33+ → 0..7. */
    static int bucket(int count) {
        if (count <= 2) {
            return Math.max(count, 0);
        }
        int b = 32 - Integer.numberOfLeadingZeros(count - 1);
        return Math.min(b + 1, 7);
    }

    private static String ageBucket(Optional<Instant> when, Instant now) {
        if (when.isEmpty()) {
            return "never";
        }
        long hours = Duration.between(when.get(), now).toHours();
        return hours < 24 ? "day" : hours < 24 * 7 ? "week" : hours < 24 * 30 ? "month" : hours < 24 * 120 ? "quarter" : "older";
    }

    /** Hours since the user last sent mail: under 1, 6, 24, 72, 168 (a week), 720 (a month), more, never. */
    static String activityBucket(Optional<Instant> lastSent, Instant now) {
        if (lastSent.isEmpty()) {
            return "never";
        }
        long hours = Duration.between(lastSent.get(), now).toHours();
        return hours < 1 ? "1h" : hours < 6 ? "6h" : hours < 24 ? "1d" : hours < 72 ? "3d" : hours < 168 ? "1w"
            : hours < 720 ? "1m" : "older";
    }

    private static String ago(Instant then, Instant now) {
        long days = Duration.between(then, now).toDays();
        return days <= 0 ? "today" : days == 1 ? "yesterday" : days + " days ago";
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }
}
