package org.mailroom.smtp;

import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;

/**
 * James's SMTP handler chain, whose handlers of each kind are looked up once the chain is wired.
 *
 * <p>Why: James asks the chain for its handlers of a kind (connect, disconnect, result handlers, the line handler)
 * each time a connection opens or closes, and each time it streams through the whole chain (~30 handlers) with an
 * {@code instanceof} filter: four passes per connection, and mail clients often send one message per connection.
 * Once wired, James's chain refuses changes ({@code isReadyOnly}), so the answer per kind can no longer change and is
 * kept; callers get their own copy, as before, because James's API returns a mutable list.
 */
final class WiredSmtpChain extends SMTPProtocolHandlerChain {

    private final Map<Class<?>, List<?>> byKind = new ConcurrentHashMap<>();

    WiredSmtpChain(MetricFactory metrics) {
        super(metrics, false);
    }

    @Override
    public <T> LinkedList<T> getHandlers(Class<T> kind) {
        return isReadyOnly() ? new LinkedList<>(wired(kind)) : super.getHandlers(kind);
    }

    @Override
    public <T> Optional<T> getFirstHandler(Class<T> kind) {
        return isReadyOnly() ? wired(kind).stream().findFirst() : super.getFirstHandler(kind);
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> wired(Class<T> kind) {
        return (List<T>) byKind.computeIfAbsent(kind, k -> List.copyOf(super.getHandlers(k)));
    }
}
