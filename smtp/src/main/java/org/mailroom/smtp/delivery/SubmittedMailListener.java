package org.mailroom.smtp.delivery;

import java.time.Instant;
import java.util.List;

/**
 * Hears of every message an authenticated user sent through submission, after its 250: who the user writes to and
 * answers is what the sorter's importance model learns from. Must be quick (hand work to a background thread) and
 * must not throw.
 */
@FunctionalInterface
public interface SubmittedMailListener {

    void submitted(String user, List<String> recipients, byte[] message, Instant sentAt);
}
