package org.mailroom.imap;

import java.lang.reflect.Constructor;
import java.util.Collection;

import org.apache.james.imap.api.ImapCommand;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;

/**
 * James's status responses with one encoding bug fixed: 3.8.1 builds the RFC 7162 {@code MODIFIED} response code
 * with the number 0, so a failed conditional STORE answered {@code OK [MODIFIED 0 2]}, which is not a
 * sequence-set; this answers {@code OK [MODIFIED 2]}.
 */
final class MailroomStatusResponseFactory extends UnpooledStatusResponseFactory {

    private static final Constructor<ResponseCode> RESPONSE_CODE = responseCodeConstructor();

    @Override
    protected StatusResponse createResponse(StatusResponse.Type type, Tag tag, ImapCommand command,
                                            HumanReadableText displayTextKey, ResponseCode code) {
        return super.createResponse(type, tag, command, displayTextKey, fixed(code));
    }

    /**
     * The RFC 4469 {@code TOOBIG} response code (for an over-limit literal): James's public factory only makes
     * extension codes, which it prefixes with {@code X}.
     */
    static ResponseCode tooBig() {
        if (RESPONSE_CODE != null) {
            try {
                return RESPONSE_CODE.newInstance("TOOBIG", java.util.List.of(), (long) ResponseCode.NO_NUMBER, true);
            } catch (ReflectiveOperationException e) {
                // fall through to the extension code
            }
        }
        return ResponseCode.createExtension("TOOBIG");
    }

    static ResponseCode fixed(ResponseCode code) {
        if (code == null || RESPONSE_CODE == null || !"MODIFIED".equals(code.getCode())
                || code.getNumber() == ResponseCode.NO_NUMBER) {
            return code;
        }
        try {
            return RESPONSE_CODE.newInstance(code.getCode(), code.getParameters(), (long) ResponseCode.NO_NUMBER, false);
        } catch (ReflectiveOperationException e) {
            return code;
        }
    }

    private static Constructor<ResponseCode> responseCodeConstructor() {
        try {
            // The only constructor taking parameters without a number is private.
            Constructor<ResponseCode> constructor = ResponseCode.class.getDeclaredConstructor(
                String.class, Collection.class, long.class, boolean.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
