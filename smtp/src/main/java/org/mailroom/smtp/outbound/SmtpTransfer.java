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
 * One SMTP transaction with one remote host through Angus Mail's SMTP transport: EHLO (HELO when EHLO is refused),
 * STARTTLS whenever offered (opportunistic: any certificate, as RFC 7435 allows, since the alternative is plain
 * text), MAIL FROM with SIZE and BODY=8BITMIME when offered, one RCPT per recipient, DATA. The result says, per
 * recipient, what the remote answered; recipients it never got to answer for (the connection failed, timed out or
 * spoke garbage) share one temporary failure, so the caller can try them at the next host.
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

    Result send(Destination destination, String sender, List<String> recipients, byte[] message) {
        Session session = Session.getInstance(properties(destination));
        Map<String, DeliveryReply> settled = new LinkedHashMap<>();
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
            long limit = sizeLimit(transport);
            if (limit > 0 && message.length > limit) {
                DeliveryReply tooBig = new DeliveryReply(552, "5.3.4",
                    "message size " + message.length + " exceeds the limit of " + limit + " announced by " + destination.hostName());
                recipients.forEach(r -> settled.put(r, tooBig));
                return new Result(settled, Optional.empty());
            }
            SMTPMessage smtpMessage = new SMTPMessage(session, new ByteArrayInputStream(message));
            smtpMessage.setEnvelopeFrom(sender.isEmpty() ? "<>" : sender);
            smtpMessage.setMailExtension(mailParameters(transport, message));
            Address[] to = new Address[recipients.size()];
            for (int i = 0; i < to.length; i++) {
                to[i] = new InternetAddress(recipients.get(i), false);
            }
            transport.sendMessage(smtpMessage, to);
            DeliveryReply ok = reply(transport.getLastReturnCode(), transport.getLastServerResponse());
            recipients.forEach(r -> settled.put(r, ok));
            return new Result(settled, Optional.empty());
        } catch (MessagingException e) {
            return interpret(e, recipients, settled, destination);
        } finally {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException | RuntimeException e) {
                    // QUIT failed: the transaction's outcome is already known.
                }
            }
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
        if (transport.supportsExtension("8BITMIME") && hasEightBitBytes(message)) {
            parameters.append(parameters.length() > 0 ? " " : "").append("BODY=8BITMIME");
        }
        return parameters.length() == 0 ? null : parameters.toString();
    }

    private static boolean hasEightBitBytes(byte[] message) {
        for (byte b : message) {
            if (b < 0) {
                return true;
            }
        }
        return false;
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
