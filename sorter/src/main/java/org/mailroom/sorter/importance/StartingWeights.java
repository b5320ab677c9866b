package org.mailroom.sorter.importance;

import java.util.Map;

/**
 * What the model believes before it has seen a single label: hand-set log-odds weights for the few features whose
 * direction is known from how people answer mail (people answer those they answer often and write to, mail
 * addressed to them alone, questions, their own threads; they rarely answer lists and broadcasts). The learned
 * weights are corrections on top, so a new server sorts sensibly from the first message and the learner starts
 * near a good model instead of from zero.
 */
final class StartingWeights {

    private static final Map<String, Double> WEIGHTS = Map.ofEntries(
        Map.entry("rate-logit", 2.0),
        Map.entry("log-sentto", 1.5),
        Map.entry("addressed:to", 0.5),
        Map.entry("addressed:cc", -0.3),
        Map.entry("addressed:none", -1.0),
        Map.entry("recipients:5:to", -0.4),
        Map.entry("recipients:6:to", -0.8),
        Map.entry("recipients:5:cc", -0.6),
        Map.entry("recipients:6:cc", -1.0),
        Map.entry("thread:started", 0.7),
        Map.entry("thread:started:re", 0.9),
        Map.entry("subject:re", 0.5),
        Map.entry("inreplyto:user", 1.0),
        Map.entry("question", 0.4),
        Map.entry("sender:automated", -0.7),
        Map.entry("list", -1.0),
        Map.entry("precedence:bulk", -1.0),
        Map.entry("precedence:list", -1.0),
        Map.entry("precedence:junk", -1.5),
        Map.entry("auto-submitted", -1.5),
        Map.entry("priority:high", 0.5));

    private StartingWeights() {
    }

    /** The starting weight of a feature (0 for all but the few above); thread-joined features share one. */
    static double of(String feature) {
        if (feature.startsWith("thread:joined:")) {
            return 0.7;
        }
        return WEIGHTS.getOrDefault(feature, 0.0);
    }
}
