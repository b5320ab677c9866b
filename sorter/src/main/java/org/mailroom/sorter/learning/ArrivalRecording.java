package org.mailroom.sorter.learning;

import org.mailroom.sorter.IncomingMail;

/**
 * Where each delivered message is remembered with what the sorter saw ({@code ImportanceModel::recordReceived}), so
 * a later reply or the 30-day expiry labels exactly what was predicted on.
 */
@FunctionalInterface
public interface ArrivalRecording {

    void recordReceived(IncomingMail mail);
}
