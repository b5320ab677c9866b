package org.mailroom.smtp;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;

import io.netty.channel.ChannelHandlerContext;

/**
 * Gives James's SMTP handler an empty logging context (SLF4J MDC) instead of James's standard one.
 *
 * <p>Why: James's {@code ProtocolMDCContextFactory.Standard} resolves the client's host name when a connection opens
 * (a reverse DNS lookup on the worker thread, for every connection, unless the JVM-wide
 * {@code james.protocols.mdc.hostname} property says otherwise), and around every command line builds a map of
 * protocol, IP, host, session id, charset and user and copies it into the MDC and out again. No Mailroom log pattern
 * prints the MDC: the one line per transaction ({@link TransactionLog}) names its session and client itself. So the
 * lookup and the copying were work for nothing (a profile of {@code bench/run-smtp.sh} put them at about a tenth of
 * the SMTP workers' own time outside delivery); a slow or hanging PTR lookup also held a worker that other sessions
 * are pinned to.
 */
final class NoLoggingContext implements ProtocolMDCContextFactory {

    @Override
    public MDCBuilder onBound(Protocol protocol, ChannelHandlerContext ctx) {
        return MDCBuilder.create();
    }

    @Override
    public MDCBuilder withContext(ProtocolSession session) {
        return MDCBuilder.create();
    }
}
