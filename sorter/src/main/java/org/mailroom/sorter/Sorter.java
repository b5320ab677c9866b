package org.mailroom.sorter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.rules.Action;
import org.mailroom.sorter.rules.Rule;
import org.mailroom.sorter.rules.UserRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scorer: for one message and one recipient, checks the user rules in order (the first matching rule
 * that decides — priority, inbox, spam, fileinto — wins, and {@code stop} ends the rules), then runs every signal,
 * then decides: Spam when the spam scores add up to more than 0, else Priority when the importance scores do, else
 * Inbox. Signals run even when a rule decided, so the trace and {@code explain} show what they thought.
 *
 * <p>Keywords follow Thunderbird: {@code $Junk} for Spam, {@code $NotJunk} otherwise, plus {@code $Important} for
 * Priority, plus any {@code keyword} actions of matching rules. Thread-safe; never throws for a bad message,
 * a bad rule or a failing signal.
 */
public final class Sorter {

    public static final String IMPORTANT = "$Important";
    public static final String JUNK = "$Junk";
    public static final String NOT_JUNK = "$NotJunk";

    private static final Logger LOG = LoggerFactory.getLogger(Sorter.class);
    /** How many reasons the one-line summary names. */
    private static final int TOP_REASONS = 3;

    private final UserRules rules;
    private final List<Signal> signals;
    private final ContentInspection inspection;

    public Sorter(UserRules rules, List<Signal> signals, ContentInspection inspection) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.signals = List.copyOf(signals);
        this.inspection = Objects.requireNonNull(inspection, "inspection");
    }

    /** A sorter with no rules and no signals: everything goes to Inbox (tests, and before anything is set up). */
    public static Sorter inboxOnly() {
        return new Sorter(UserRules.none(), List.of(), ContentInspection.none());
    }

    /** Completes the message (attachment types and text) the way {@link #sort} does; for learning paths. */
    public MailContent inspect(MailContent content) {
        try {
            return inspection.inspect(content);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            LOG.warn("attachment inspection failed, sorting without it", e);
            return content;
        }
    }

    /** Inspects the message's attachments, then decides (see the class comment). */
    public Decision sort(IncomingMail incoming) {
        return sortInspected(new IncomingMail(incoming.recipient(), incoming.mailFrom(), incoming.session(),
            inspect(incoming.content()), incoming.receivedAt()));
    }

    /**
     * Decides for a message whose content already went through {@link #inspect}: delivery inspects once and sorts
     * once per recipient.
     */
    public Decision sortInspected(IncomingMail mail) {
        RuleOutcome outcome = applyRules(mail);
        List<Score> scores = runSignals(mail);
        double spam = total(scores, Dimension.SPAM);
        double importance = total(scores, Dimension.IMPORTANCE);
        Category category = outcome.category().orElseGet(() ->
            spam > 0 ? Category.SPAM : importance > 0 ? Category.PRIORITY : Category.INBOX);
        Set<String> keywords = new LinkedHashSet<>();
        keywords.add(category == Category.SPAM ? JUNK : NOT_JUNK);
        if (category == Category.PRIORITY) {
            keywords.add(IMPORTANT);
        }
        keywords.addAll(outcome.keywords());
        Optional<String> rule = outcome.rule().map(r -> r.origin() + ": " + r.text());
        return new Decision(category, outcome.folder(), keywords, scores, rule,
            reason(outcome.rule(), scores));
    }

    private record RuleOutcome(Optional<Category> category, Optional<String> folder, List<String> keywords,
                               Optional<Rule> rule) {
    }

    private RuleOutcome applyRules(IncomingMail mail) {
        List<Rule> candidates;
        try {
            candidates = rules.rulesFor(mail.recipient());
        } catch (RuntimeException e) {
            LOG.error("rules for {} could not be read; sorting by scores only", mail.recipient(), e);
            candidates = List.of();
        }
        List<String> keywords = new ArrayList<>();
        for (Rule rule : candidates) {
            if (!matches(rule, mail)) {
                continue;
            }
            Optional<Category> category = Optional.empty();
            Optional<String> folder = Optional.empty();
            for (Action action : rule.actions()) {
                if (action instanceof Action.Keyword keyword) {
                    keywords.add(keyword.keyword());
                } else if (action instanceof Action.Place place) {
                    category = Optional.of(place.category());
                } else if (action instanceof Action.FileInto fileInto) {
                    folder = Optional.of(fileInto.folder());
                }
            }
            if (rule.decides()) {
                // fileinto alone files a message the user sorted by hand: it is not spam, and not Priority.
                return new RuleOutcome(Optional.of(category.orElse(Category.INBOX)), folder, keywords,
                    Optional.of(rule));
            }
            if (rule.stops()) {
                break;
            }
        }
        return new RuleOutcome(Optional.empty(), Optional.empty(), keywords, Optional.empty());
    }

    private static boolean matches(Rule rule, IncomingMail mail) {
        try {
            return rule.matches(mail);
        } catch (RuntimeException e) {
            // A rule that cannot judge this message (e.g. a regular expression blowing the stack) is skipped.
            LOG.warn("rule {} skipped for this message: {}", rule.origin(), e.toString());
            return false;
        }
    }

    private List<Score> runSignals(IncomingMail mail) {
        List<Score> scores = new ArrayList<>();
        for (Signal signal : signals) {
            try {
                List<Score> given = signal.evaluate(mail);
                if (given != null) {
                    scores.addAll(given);
                }
            } catch (RuntimeException | StackOverflowError e) {
                LOG.warn("signal {} failed and gave no score", signal.getClass().getName(), e);
            }
        }
        return scores;
    }

    private static double total(List<Score> scores, Dimension dimension) {
        double sum = 0;
        for (Score score : scores) {
            if (score.dimension() == dimension) {
                sum += score.value();
            }
        }
        return sum;
    }

    /**
     * {@code value} as {@code String.format("%+.2f")} writes it (half-up on the shortest decimal form), without
     * the cost of a Formatter: reasons are built for every decision.
     */
    static String signed(double value) {
        if (!Double.isFinite(value)) {
            return String.format(java.util.Locale.ROOT, "%+.2f", value);
        }
        return (value < 0 || (value == 0 && 1 / value < 0) ? "-" : "+") + twoDecimals(Math.abs(value));
    }

    /**
     * {@code BigDecimal.valueOf(magnitude).setScale(2, HALF_UP).toPlainString()}, read off {@link Double#toString}'s
     * digits (which {@code valueOf} parses) without building the BigDecimals: half-up at two decimals is "round up
     * when the third decimal is 5 or more". Values {@code Double.toString} writes in E notation (below 10^-3, from
     * 10^7) take the BigDecimal path.
     */
    static String twoDecimals(double magnitude) {
        String shortest = Double.toString(magnitude);
        int point = shortest.indexOf('.');
        if (point < 0 || shortest.indexOf('E') >= 0) {
            return java.math.BigDecimal.valueOf(magnitude).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
        }
        long hundredths = Long.parseLong(shortest, 0, point, 10) * 100;
        int fraction = shortest.length() - point - 1;
        hundredths += (shortest.charAt(point + 1) - '0') * 10L + (fraction > 1 ? shortest.charAt(point + 2) - '0' : 0);
        if (fraction > 2 && shortest.charAt(point + 3) >= '5') {
            hundredths++;
        }
        long cents = hundredths % 100;
        return (hundredths / 100) + (cents < 10 ? ".0" : ".") + cents;
    }

    /**
     * The rule, then the {@value #TOP_REASONS} strongest non-zero scores by |value| (the earlier one first on a tie),
     * picked by selection rather than a sorted stream: built for every decision and stored in the trace header.
     */
    private static String reason(Optional<Rule> rule, List<Score> scores) {
        StringBuilder top = new StringBuilder();
        boolean[] taken = new boolean[scores.size()];
        for (int k = 0; k < TOP_REASONS; k++) {
            int best = -1;
            for (int i = 0; i < scores.size(); i++) {
                double value = scores.get(i).value();
                if (!taken[i] && value != 0 && (best < 0 || Math.abs(value) > Math.abs(scores.get(best).value()))) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            Score s = scores.get(best);
            if (!top.isEmpty()) {
                top.append(", ");
            }
            top.append(s.reason()).append(" (").append(s.signal()).append(' ').append(signed(s.value())).append(')');
        }
        String byRule = rule.map(r -> "rule " + r.origin()).orElse("");
        if (byRule.isEmpty()) {
            return top.isEmpty() ? "no evidence either way" : top.toString();
        }
        return top.isEmpty() ? byRule : byRule + "; " + top;
    }
}
