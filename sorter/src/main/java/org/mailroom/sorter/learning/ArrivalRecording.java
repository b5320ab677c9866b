package org.mailroom.sorter.learning;

import java.util.List;

import org.mailroom.sorter.IncomingMail;

/**
 * Where delivered messages are remembered with what the sorter saw ({@code ImportanceModel::recordArrivals}), so a
 * later reply or the 30-day expiry labels exactly what was predicted on. Called with every arrival waiting at the
 * time, in delivery order, so that a durable implementation commits once for all of them.
 */
@FunctionalInterface
public interface ArrivalRecording {

    void recordArrivals(List<IncomingMail> mails);
}
