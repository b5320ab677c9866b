package org.mailroom.imap;

import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/**
 * James's IMAP metrics with the connection count also told to an {@link ImapObserver}: James increments its
 * connections metric when a channel becomes active and decrements it when it closes, which is exactly a session.
 */
final class ObservedImapMetrics extends ImapMetrics {
    private final Metric connections;

    ObservedImapMetrics(MetricFactory metrics, ImapObserver observer) {
        super(metrics);
        Metric james = super.getConnectionsMetric();
        this.connections = new Metric() {
            @Override
            public void increment() {
                james.increment();
                observer.sessionOpened();
            }

            @Override
            public void decrement() {
                james.decrement();
                observer.sessionClosed();
            }

            @Override
            public void add(int value) {
                james.add(value);
            }

            @Override
            public void remove(int value) {
                james.remove(value);
            }

            @Override
            public long getCount() {
                return james.getCount();
            }
        };
    }

    @Override
    public Metric getConnectionsMetric() {
        return connections;
    }
}
