package org.mailroom.smtp.outbound;

import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.mailroom.storage.queue.DeliveryReply;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;

/**
 * SMTP with one remote host through Angus Mail's SMTP transport: a {@link Connection} is opened with EHLO (HELO
 * when EHLO is refused), STARTTLS whenever offered (opportunistic: any certificate, as RFC 7435 allows, since the
 * alternative is plain text), and carries transactions: MAIL FROM with SIZE and BODY=8BITMIME when offered (an 8-bit
 * message for a remote without 8BITMIME is converted to 7 bit first), one RCPT per recipient, DATA. A transaction's
 * result says, per recipient, what the remote answered; recipients it never got to answer for (the connection
 * failed, timed out or spoke garbage) share one temporary failure, so the caller can try them at the next host.
 */
final class SmtpTransfer {

    /**
     * Whom to talk to: an MX host's name (for logs) and the address resolved for it, or a smarthost (reached by
     * name, so its certificate can be checked against the name).
     */
    record Destination(String hostName, Optional<InetAddress> address, int port, Optional<Smarthost> smarthost) {
        static Destination mx(String hostName, InetAddress address, int port) {
            return new Destination(hostName, Optional.of(address), port, Optional.empty());
        }

        static Destination relay(Smarthost smarthost) {
            return new Destination(smarthost.host(), Optional.empty(), smarthost.port(), Optional.of(smarthost));
        }

        String connectTo() {
            return address.map(InetAddress::getHostAddress).orElse(hostName);
        }

        String describe() {
            return hostName + address.map(a -> "[" + a.getHostAddress() + "]").orElse("") + ":" + port;
        }
    }

    /**
     * Replies per recipient address ({@code settled}); {@code unsettled} is the temporary failure shared by every
     * recipient missing from {@code settled}, or empty when all were settled.
     */
    record Result(Map<String, DeliveryReply> settled, Optional<DeliveryReply> unsettled) {
    }

    private static final long REPLY_BYTE_LIMIT = 1024 * 1024;
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b\\s*");

    private final OutboundSettings settings;

    SmtpTransfer(OutboundSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The connection could not be opened (or EHLO/STARTTLS/AUTH failed): the reply that stands for it. */
    static final class ConnectFailed extends Exception {
        private final transient DeliveryReply reply;

        ConnectFailed(DeliveryReply reply) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
        }

        DeliveryReply reply() {
            return reply;
        }
    }

    /**
     * One open SMTP connection to one destination (greeted, STARTTLS and AUTH done) that carries transactions one
     * after the other. It stays {@link #reusable()} while every transaction ended with the remote's replies; after
     * a connection failure, a timeout or a 421 it is not used again. Not thread-safe: one sender at a time.
     */
    final class Connection implements AutoCloseable {
        private final Destination destination;
        private final Session session;
        private final SMTPTransport transport;
        private int transactions;
        private boolean broken;
        private long idleSinceNanos = System.nanoTime();

        private Connection(Destination destination, Session session, SMTPTransport transport) {
            this.destination = destination;
            this.session = session;
            this.transport = transport;
        }

        Destination destination() {
            return destination;
        }

        /** Transactions started on this connection so far. */
        int transactions() {
            return transactions;
        }

        boolean reusable() {
            return !broken;
        }

        long idleNanos() {
            return System.nanoTime() - idleSinceNanos;
        }

        /** Asks the remote with NOOP whether the connection still works (after it sat idle). */
        boolean alive() {
            return !broken && transport.isConnected();
        }

        /** One transaction: MAIL FROM, RCPT TO per recipient, DATA; the result per recipient. */
        Result send(String sender, List<String> recipients, OutgoingMessage message) {
            transactions++;
            Map<String, DeliveryReply> settled = new LinkedHashMap<>();
            try {
                byte[] bytes = message.bytesFor(transport.supportsExtension("8BITMIME"));
                long limit = sizeLimit(transport);
                if (limit > 0 && bytes.length > limit) {
                    DeliveryReply tooBig = new DeliveryReply(552, "5.3.4", "message size " + bytes.length
                        + " exceeds the limit of " + limit + " announced by " + destination.hostName());
                    recipients.forEach(r -> settled.put(r, tooBig));
                    return new Result(settled, Optional.empty());
                }
                SMTPMessage smtpMessage = new SMTPMessage(session, new ByteArrayInputStream(bytes));
                smtpMessage.setEnvelopeFrom(sender.isEmpty() ? "<>" : sender);
                smtpMessage.setMailExtension(mailParameters(transport, bytes));
                Address[] to = new Address[recipients.size()];
                for (int i = 0; i < to.length; i++) {
                    to[i] = new InternetAddress(recipients.get(i), false);
                }
                transport.sendMessage(smtpMessage, to);
                DeliveryReply ok = reply(transport.getLastReturnCode(), transport.getLastServerResponse());
                recipients.forEach(r -> settled.put(r, ok));
                return new Result(settled, Optional.empty());
            } catch (MessagingException e) {
                Result result = interpret(e, recipients, settled, destination);
                // Angus resets the transaction after a refusal (RSET); anything without a reply leaves the
                // connection in an unknown state, and a 421 means the remote is closing it.
                broken |= result.unsettled().isPresent()
                    || result.settled().values().stream().anyMatch(r -> r.code() == 421);
                return result;
            } catch (RuntimeException e) {
                broken = true;
                throw e;
            } finally {
                idleSinceNanos = System.nanoTime();
            }
        }

        /** QUIT without waiting for the answer. */
        @Override
        public void close() {
            broken = true;
            try {
                transport.close();
            } catch (MessagingException | RuntimeException e) {
                // QUIT failed: every transaction's outcome is already known.
            }
        }
    }

    /** Opens a connection to the destination: greeting, EHLO (or HELO), STARTTLS when offered, AUTH to a relay. */
    Connection connect(Destination destination) throws ConnectFailed {
        Session session = Session.getInstance(properties(destination));
        SMTPTransport transport = null;
        try {
            transport = (SMTPTransport) session.getTransport(destination.smarthost()
                .filter(s -> s.security() == Smarthost.Security.TLS).isPresent() ? "smtps" : "smtp");
            Optional<Smarthost> relay = destination.smarthost();
            if (relay.isPresent() && relay.get().username().isPresent()) {
                transport.connect(connectHost(destination), destination.port(), relay.get().username().get(),
                    relay.get().password().get());
            } else {
                transport.connect(connectHost(destination), destination.port(), null, null);
            }
            return new Connection(destination, session, transport);
        } catch (MessagingException e) {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException | RuntimeException closing) {
                    // It never worked; nothing to tell.
                }
            }
            throw new ConnectFailed(connectionTrouble(e, destination));
        }
    }

    /** One transaction on a connection of its own, closed afterwards. */
    Result send(Destination destination, String sender, List<String> recipients, OutgoingMessage message) {
        try (Connection connection = connect(destination)) {
            return connection.send(sender, recipients, message);
        } catch (ConnectFailed e) {
            return new Result(Map.of(), Optional.of(e.reply()));
        }
    }

    private static String connectHost(Destination destination) {
        return destination.connectTo();
    }

    private Properties properties(Destination destination) {
        Properties p = new Properties();
        for (String protocol : List.of("smtp", "smtps")) {
            String prefix = "mail." + protocol + ".";
            p.put(prefix + "localhost", settings.heloName());
            p.put(prefix + "connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
            p.put(prefix + "timeout", Long.toString(settings.readTimeout().toMillis()));
            p.put(prefix + "writetimeout", Long.toString(settings.readTimeout().toMillis()));
            p.put(prefix + "sendpartial", "true");
            p.put(prefix + "quitwait", "false");
            p.put(prefix + "ehlo", "true");
            Optional<Smarthost> relay = destination.smarthost();
            if (relay.isEmpty()) {
                p.put(prefix + "starttls.enable", "true");
                p.put(prefix + "ssl.trust", "*");
                p.put(prefix + "ssl.checkserveridentity", "false");
                p.put(prefix + "socketFactory", new CappedSocketFactory(REPLY_BYTE_LIMIT));
            } else {
                Smarthost.Security security = relay.get().security();
                p.put(prefix + "starttls.enable", Boolean.toString(security == Smarthost.Security.STARTTLS));
                p.put(prefix + "starttls.required", Boolean.toString(security == Smarthost.Security.STARTTLS));
                p.put(prefix + "ssl.checkserveridentity", "true");
                p.put(prefix + "auth", Boolean.toString(relay.get().username().isPresent()));
                if (security != Smarthost.Security.TLS) {
                    p.put(prefix + "socketFactory", new CappedSocketFactory(REPLY_BYTE_LIMIT));
                }
            }
        }
        return p;
    }

    private static long sizeLimit(SMTPTransport transport) {
        String size = transport.getExtensionParameter("SIZE");
        if (size == null || size.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(size.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String mailParameters(SMTPTransport transport, byte[] message) {
        StringBuilder parameters = new StringBuilder();
        if (transport.supportsExtension("SIZE")) {
            parameters.append("SIZE=").append(message.length);
        }
        if (transport.supportsExtension("8BITMIME") && EightBitDowngrade.hasEightBitBytes(message)) {
            parameters.append(parameters.length() > 0 ? " " : "").append("BODY=8BITMIME");
        }
        return parameters.length() == 0 ? null : parameters.toString();
    }

    private static Result interpret(MessagingException failure, List<String> recipients,
                                    Map<String, DeliveryReply> settled, Destination destination) {
        for (Exception e = failure; e != null; e = e instanceof MessagingException m ? m.getNextException() : null) {
            if (e instanceof SMTPAddressFailedException refused && refused.getReturnCode() >= 400) {
                settled.putIfAbsent(refused.getAddress().getAddress(),
                    reply(refused.getReturnCode(), refused.getMessage()));
            }
        }
        DeliveryReply rest;
        if (failure instanceof SMTPSenderFailedException sender && isReply(sender.getReturnCode())) {
            rest = reply(sender.getReturnCode(), sender.getMessage());
        } else if (failure instanceof SMTPSendFailedException sendFailed && isReply(sendFailed.getReturnCode())) {
            // After DATA (or the DATA command itself): the reply covers every recipient not refused at RCPT.
            rest = reply(sendFailed.getReturnCode(), sendFailed.getMessage());
        } else if (failure instanceof jakarta.mail.SendFailedException && settled.size() == recipients.size()) {
            rest = null;
        } else {
            return new Result(settled, Optional.of(connectionTrouble(failure, destination)));
        }
        if (rest != null) {
            for (String recipient : recipients) {
                settled.putIfAbsent(recipient, rest);
            }
        }
        return new Result(settled, Optional.empty());
    }

    private static boolean isReply(int code) {
        return code >= 200 && code <= 599;
    }

    /** No usable reply: refused, timed out, broken, or the remote did not speak SMTP. Always temporary. */
    private static DeliveryReply connectionTrouble(MessagingException failure, Destination destination) {
        String where = destination.describe();
        for (Throwable t = failure; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SocketTimeoutException) {
                return new DeliveryReply(451, "4.4.2", "timed out talking to " + where + ": " + oneLine(t.getMessage()));
            }
            if (t instanceof ConnectException) {
                return new DeliveryReply(451, "4.4.1", "cannot connect to " + where + ": " + oneLine(t.getMessage()));
            }
            if (t instanceof UnknownHostException) {
                return new DeliveryReply(451, "4.4.4", "cannot resolve " + destination.hostName());
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return new DeliveryReply(451, "4.7.5", "TLS with " + where + " failed: " + oneLine(t.getMessage()));
            }
            if (t instanceof java.io.IOException io && io.getMessage() != null && io.getMessage().contains("reply limit")) {
                return new DeliveryReply(451, "4.5.0", where + " sent an over-long reply");
            }
        }
        return new DeliveryReply(451, "4.5.0", "protocol error with " + where + ": " + oneLine(failure.getMessage()));
    }

    /** An SMTP reply as Angus hands it over ("550 5.1.1 text", lines joined with newlines). */
    static DeliveryReply reply(int code, String response) {
        StringBuilder text = new StringBuilder();
        String status = null;
        for (String line : (response == null ? "" : response).split("\r?\n")) {
            String rest = line.length() >= 4 && line.substring(0, 3).chars().allMatch(Character::isDigit)
                ? line.substring(4) : line;
            Matcher enhanced = ENHANCED.matcher(rest);
            if (enhanced.find()) {
                if (status == null) {
                    status = enhanced.group(1) + "." + enhanced.group(2) + "." + enhanced.group(3);
                }
                rest = rest.substring(enhanced.end());
            }
            if (!rest.isBlank()) {
                text.append(text.length() > 0 ? " " : "").append(rest.trim());
            }
        }
        if (status == null || status.charAt(0) != Integer.toString(code).charAt(0)) {
            status = (code / 100) + ".0.0";
        }
        return new DeliveryReply(code, status, oneLine(text.toString()));
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("[^\\x20-\\x7e]", "?").trim();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
