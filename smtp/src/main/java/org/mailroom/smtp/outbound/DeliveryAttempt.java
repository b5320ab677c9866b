package org.mailroom.smtp.outbound;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.storage.queue.DeliveryReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to hand a message to the remote hosts of its recipients: per recipient domain, the route (MX hosts,
 * or the smarthost), then each host's addresses in turn until every recipient has an answer. Recipients that a
 * host could not settle (it was unreachable, timed out, spoke garbage) go to the next address or host; whatever
 * is still unsettled at the end gets the last temporary failure. Returns a reply per recipient and the host that
 * gave it; what the replies mean for the queue is {@link RetryDecision}'s business. Transactions go through
 * {@link ConnectionReuse}, so concurrent attempts for the same host share its connections.
 */
final class DeliveryAttempt implements AutoCloseable {

    /** One recipient's reply, and the host that gave it (empty when no host gave one). */
    record Answer(DeliveryReply reply, Optional<String> host) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAttempt.class);

    private final MxRouter router;
    private final ConnectionReuse connections;
    private final OutboundSettings settings;

    DeliveryAttempt(MxRouter router, SmtpTransfer transfer, OutboundSettings settings) {
        this.router = Objects.requireNonNull(router, "router");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connections = new ConnectionReuse(Objects.requireNonNull(transfer, "transfer"),
            settings.connectionsPerDestination(), settings.maxConnections(), settings.messagesPerConnection());
    }

    /** {@link #deliver(long, String, List, OutgoingMessage)} of a message sent as it is, unsigned. */
    Map<String, Answer> deliver(long messageId, String sender, List<String> recipients, byte[] message) {
        return deliver(messageId, sender, recipients, OutgoingMessage.unsigned(message));
    }

    /** Answers keyed by recipient address, for every recipient given. */
    Map<String, Answer> deliver(long messageId, String sender, List<String> recipients, OutgoingMessage message) {
        Map<String, List<String>> byDomain = new LinkedHashMap<>();
        for (String recipient : recipients) {
            String domain = recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            byDomain.computeIfAbsent(domain, d -> new ArrayList<>()).add(recipient);
        }
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> domain : byDomain.entrySet()) {
            answers.putAll(deliverToDomain(messageId, domain.getKey(), sender, domain.getValue(), message));
        }
        return answers;
    }

    private Map<String, Answer> deliverToDomain(long messageId, String domain, String sender, List<String> recipients,
                                                OutgoingMessage message) {
        if (settings.smarthost().isPresent()) {
            return tryDestinations(messageId, List.of(SmtpTransfer.Destination.relay(settings.smarthost().get())),
                sender, recipients, message, List.of());
        }
        MxRouter.Route route = router.route(domain);
        if (route instanceof MxRouter.Nowhere nowhere) {
            int code = "5.1.10".equals(nowhere.status()) ? 556 : 550;
            return all(recipients, new DeliveryReply(code, nowhere.status(), nowhere.text()), Optional.empty());
        }
        if (route instanceof MxRouter.DnsTrouble trouble) {
            return all(recipients, new DeliveryReply(451, "4.4.3", trouble.text()), Optional.empty());
        }
        List<SmtpTransfer.Destination> destinations = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String host : ((MxRouter.Hosts) route).names()) {
            MxRouter.HostAddresses addresses = router.addresses(host);
            if (addresses.addresses().isEmpty()) {
                problems.add(addresses.problem());
            }
            for (InetAddress address : addresses.addresses()) {
                destinations.add(SmtpTransfer.Destination.mx(host, address, settings.remotePort()));
            }
        }
        return tryDestinations(messageId, destinations, sender, recipients, message, problems);
    }

    private Map<String, Answer> tryDestinations(long messageId, List<SmtpTransfer.Destination> destinations,
                                                String sender, List<String> recipients, OutgoingMessage message,
                                                List<String> problems) {
        Map<String, Answer> answers = new LinkedHashMap<>();
        List<String> remaining = new ArrayList<>(recipients);
        DeliveryReply lastTrouble = new DeliveryReply(451, "4.4.4",
            "no reachable mail host" + (problems.isEmpty() ? "" : ": " + String.join("; ", problems)));
        Optional<String> lastHost = Optional.empty();
        for (SmtpTransfer.Destination destination : destinations) {
            if (remaining.isEmpty()) {
                break;
            }
            SmtpTransfer.Result result = connections.send(destination, sender, remaining, message);
            for (Map.Entry<String, DeliveryReply> settled : result.settled().entrySet()) {
                answers.put(settled.getKey(), new Answer(settled.getValue(), Optional.of(destination.hostName())));
                LOG.info("queued message {}: <{}> at {}: {}", messageId, settled.getKey(), destination.describe(),
                    settled.getValue());
            }
            remaining.removeAll(result.settled().keySet());
            if (result.unsettled().isPresent()) {
                lastTrouble = result.unsettled().get();
                lastHost = Optional.of(destination.hostName());
                LOG.info("queued message {}: {} for {} recipient(s), trying the next host", messageId, lastTrouble,
                    remaining.size());
            }
        }
        answers.putAll(all(remaining, lastTrouble, lastHost));
        return answers;
    }

    /** Connections opened so far by this attempt's {@link ConnectionReuse}. */
    int connectionsOpened() {
        return connections.connectionsOpened();
    }

    /** Closes the idle connections now (tests that change how a remote behaves between attempts). */
    void closeIdleConnections() {
        connections.closeIdle();
    }

    @Override
    public void close() {
        connections.close();
    }

    private static Map<String, Answer> all(List<String> recipients, DeliveryReply reply, Optional<String> host) {
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (String recipient : recipients) {
            answers.put(recipient, new Answer(reply, host));
        }
        return answers;
    }
}
