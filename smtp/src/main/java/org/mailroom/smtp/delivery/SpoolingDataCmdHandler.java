package org.mailroom.smtp.delivery;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/** James's DATA command with Mailroom's {@link SpooledEnvelope} instead of an envelope that keeps all bytes in memory. */
public final class SpoolingDataCmdHandler extends DataCmdHandler {

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
}
