package org.mailroom.smtp.delivery;

import java.nio.charset.StandardCharsets;

import org.mailroom.smtp.policy.SpfResult;

/** Writes the RFC 7208 section 9.1 {@code Received-SPF:} header for an SPF result. */
final class ReceivedSpfHeader {

    private ReceivedSpfHeader() {
    }

    static byte[] of(SpfResult spf, String receiver) {
        String host = comment(receiver);
        String sender = comment(spf.sender());
        String ip = spf.clientIp();
        String explanation = switch (spf.result()) {
            case PASS -> "domain of " + sender + " designates " + ip + " as permitted sender";
            case FAIL -> "domain of " + sender + " does not designate " + ip + " as permitted sender";
            case SOFTFAIL -> "domain of transitioning " + sender + " does not designate " + ip + " as permitted sender";
            case NEUTRAL -> ip + " is neither permitted nor denied by domain of " + sender;
            case NONE -> "domain of " + sender + " does not designate permitted sender hosts";
            case TEMPERROR -> "error in processing during lookup of " + sender;
            case PERMERROR -> "domain of " + sender + " has an unusable SPF record";
        };
        StringBuilder header = new StringBuilder("Received-SPF: ").append(spf.result().keyword())
            .append(" (").append(host).append(": ").append(explanation).append(")\r\n\t")
            .append("client-ip=").append(ip).append(";");
        if ("mailfrom".equals(spf.identity())) {
            header.append(" envelope-from=").append(quoted(spf.sender())).append(";");
        }
        header.append(" helo=").append(value(spf.helo())).append(";\r\n\t")
            .append("receiver=").append(value(receiver)).append("; identity=").append(spf.identity()).append(";");
        if (spf.mechanism() != null) {
            header.append(" mechanism=").append(quoted(spf.mechanism())).append(";");
        }
        if (spf.problem() != null) {
            header.append("\r\n\tproblem=").append(quoted(spf.problem())).append(";");
        }
        header.append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A dot-atom when the text is one, else a quoted-string. */
    private static String value(String text) {
        return !text.isEmpty() && text.matches("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+(\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+)*")
            && text.length() <= 255 ? text : quoted(text);
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        printable(text).codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.appendCodePoint(c);
        });
        return out.append('"').toString();
    }

    /** Text inside the comment: no parentheses or backslashes that could end or escape it. */
    private static String comment(String text) {
        return printable(text).replaceAll("[()\\\\]", "_");
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(255).map(c -> c >= 32 && c < 127 ? c : '_').forEach(out::appendCodePoint);
        return out.toString();
    }
}
