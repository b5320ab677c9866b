package org.mailroom.smtp.delivery;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/**
 * James's DATA command with Mailroom's {@link SpooledEnvelope} instead of an envelope that keeps all bytes in memory.
 *
 * <p>A connection that ends in the middle of DATA (the client left, or the CRLF guard or the line-length check
 * closed it) releases its envelope at once: its spool file and the file's descriptor would otherwise stay until a
 * garbage collection ran the envelope's cleaner, and spooling puts little on the heap, so a client sending large
 * messages and leaving before the end could fill the disk long before that. The disconnect runs on the session's
 * worker, after any command it was still running, so a commit in progress is never cut short.
 */
public final class SpoolingDataCmdHandler extends DataCmdHandler implements DisconnectHandler<SMTPSession> {

    /** Messages up to this size stay in memory; larger ones go to the spool directory. */
    static final int MEMORY_THRESHOLD = 256 * 1024;

    private final Path spool;

    public SpoolingDataCmdHandler(MetricFactory metrics, Path spool) {
        super(metrics);
        this.spool = Objects.requireNonNull(spool, "spool");
    }

    @Override
    protected MailEnvelope createEnvelope(MaybeSender sender, List<MailAddress> recipients) {
        return new SpooledEnvelope(spool, MEMORY_THRESHOLD, sender, recipients);
    }

    @Override
    public void onDisconnect(SMTPSession session) {
        session.getAttachment(MAILENV, State.Transaction)
            .filter(SpooledEnvelope.class::isInstance)
            .ifPresent(envelope -> ((SpooledEnvelope) envelope).close());
    }
}
