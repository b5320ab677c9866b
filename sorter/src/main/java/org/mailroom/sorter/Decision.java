package org.mailroom.sorter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a message goes and why.
 *
 * @param category    Priority, Inbox or Spam
 * @param folder      the folder to store into when a user rule names one ({@code fileinto}); empty means the
 *                    category's folder
 * @param keywords    IMAP keywords to set on the stored message (e.g. {@code $Important}, {@code $Junk})
 * @param scores      every score that was given, in the order the signals ran
 * @param matchedRule the user rule that decided, when one did (rules always win over learned scores)
 * @param reason      a one-line human-readable summary (top reasons), suitable for a trace header
 */
public record Decision(Category category, Optional<String> folder, Set<String> keywords, List<Score> scores,
                       Optional<String> matchedRule, String reason) {

    public Decision {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(folder, "folder");
        keywords = Set.copyOf(keywords);
        scores = List.copyOf(scores);
        Objects.requireNonNull(matchedRule, "matchedRule");
        Objects.requireNonNull(reason, "reason");
    }

    /** The sum of the scores of one dimension, in log-odds. */
    public double total(Dimension dimension) {
        return scores.stream().filter(s -> s.dimension() == dimension).mapToDouble(Score::value).sum();
    }
}
