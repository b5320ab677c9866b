package org.mailroom.imap;

/**
 * Keeps James's IMAP logging context (SLF4J MDC) from resolving each client's host name.
 *
 * <p>Why: James 3.8.1's {@code ImapChannelUpstreamHandler} builds the context of every new connection with
 * {@code IMAPMDCContext.boundMDC}, which calls {@code InetSocketAddress.getHostName()}: a reverse DNS lookup on the
 * Netty event loop for each connection (a slow or unanswered PTR query holds every session served by that loop),
 * unless the JVM-wide property {@code james.protocols.mdc.hostname} is false. No Mailroom log pattern prints the
 * MDC's host (its IP stays in the context). The handler takes no context factory that could be replaced (SMTP's
 * can: smtp's {@code NoLoggingContext}), and James reads the property once, into
 * {@code ProtocolMDCContextFactory.ADD_HOST_TO_MDC}, when that interface is first used (the first connection), so
 * it is set before any IMAP server starts. An explicit setting of the property is left as it is.
 */
final class ImapLoggingContext {
    static final String HOST_LOOKUP_PROPERTY = "james.protocols.mdc.hostname";

    private ImapLoggingContext() {
    }

    static void withoutHostLookup() {
        if (System.getProperty(HOST_LOOKUP_PROPERTY) == null) {
            System.setProperty(HOST_LOOKUP_PROPERTY, "false");
        }
    }
}
