package org.mailroom.smtp;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.MailCmdHandler;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.mailroom.smtp.policy.MailParameters;

/**
 * James's MAIL command with two corrections, both RFC 5321 and both what Postfix does.
 *
 * <p>A MAIL inside an open transaction is refused without touching it. James 3.8.1 answers a nested MAIL with 503
 * and then, like after any refused MAIL, drops the sender while leaving the accepted recipients in the transaction:
 * the open transaction was lost (its RCPTs and DATA got 503), and the recipients of the lost one were delivered
 * along with the next transaction's after a later MAIL. RFC 5321 (3.3, 4.1.4) wants a refused command to leave the
 * state as it was.
 *
 * <p>Parameters no extension of this server announced are refused with 555 ({@link MailParameters}); James ignored
 * them and answered 250, so a client asking for {@code SMTPUTF8} or {@code BODY=BINARYMIME} believed it was granted.
 */
public final class MailroomMailCmdHandler extends MailCmdHandler {

    static final Response NESTED_MAIL = new SMTPResponse(SMTPRetCode.BAD_SEQUENCE,
        "5.5.1 Nested MAIL command: a transaction is already open (RSET ends it)").immutable();

    /** The parameter names the wired {@link MailParametersHook}s handle (SIZE; AUTH where AUTH is offered). */
    private final Set<String> hookedParameters = new HashSet<>();

    public MailroomMailCmdHandler(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, State.Transaction).isPresent()) {
            return NESTED_MAIL;
        }
        return super.onCommand(session, request);
    }

    /**
     * James's checks first (HELO, syntax, the hooked parameters such as SIZE), then the other parameters. A refusal
     * here leaves no sender behind: {@link MailCmdHandler#onCommand} drops it after any reply but 250.
     */
    @Override
    protected Response doFilterChecks(SMTPSession session, String command, String parameters) {
        Response james = super.doFilterChecks(session, command, parameters);
        if (james != null) {
            return james;
        }
        Optional<String> refusal = MailParameters.refusal(parameters, hookedParameters);
        return refusal.<Response>map(text -> new SMTPResponse("555", text)).orElse(null);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void wireExtensions(Class interfaceName, List extension) {
        super.wireExtensions(interfaceName, extension);
        if (MailParametersHook.class.equals(interfaceName)) {
            for (MailParametersHook hook : (List<MailParametersHook>) extension) {
                for (String name : hook.getMailParamNames()) {
                    hookedParameters.add(name.toUpperCase(java.util.Locale.ROOT));
                }
            }
        }
    }
}
