package org.mailroom.sorter;

import java.util.List;

/**
 * One piece of evidence about an incoming message (a header check, a learned model, a DNSBL result...). Signals are
 * small, independent, and must not throw for any input: a message they cannot judge yields no score.
 */
@FunctionalInterface
public interface Signal {

    /** The scores this signal gives {@code mail}; empty when it has nothing to say. */
    List<Score> evaluate(IncomingMail mail);
}
