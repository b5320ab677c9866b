package org.mailroom.smtp.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which MAIL FROM parameters (RFC 5321 4.1.2, {@code Mail-parameters}) this server takes: those of the extensions
 * it announces, and nothing else (RFC 5321 4.1.1.11: 555 for parameters not recognised or not implemented).
 *
 * <p>{@code BODY} (8BITMIME, RFC 6152) is always announced, with the values {@code 7BIT} and {@code 8BITMIME}:
 * {@code BINARYMIME} needs CHUNKING (RFC 3030), which is not offered. {@code SMTPUTF8} (RFC 6531) is not offered.
 * The other names come from the parameter hooks wired in the chain (SIZE; AUTH on submission).
 */
public final class MailParameters {

    private MailParameters() {
    }

    /**
     * The refusal (enhanced status code and text) for the first parameter this server does not take, or empty.
     *
     * @param argument the MAIL command's argument as James passes it ({@code FROM:<a@b> SIZE=10 BODY=8BITMIME})
     * @param hooked   the upper-case parameter names a wired hook handles
     */
    public static Optional<String> refusal(String argument, Set<String> hooked) {
        for (String parameter : parameters(argument)) {
            String name = name(parameter);
            int equals = parameter.indexOf('=');
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            if (name.equals("BODY")) {
                if (!value.equalsIgnoreCase("7BIT") && !value.equalsIgnoreCase("8BITMIME")) {
                    return Optional.of("5.5.4 BODY=" + value + " is not supported (7BIT and 8BITMIME are)");
                }
            } else if (!hooked.contains(name)) {
                return Optional.of("5.5.4 Unsupported MAIL parameter " + name);
            }
        }
        return Optional.empty();
    }

    /** The upper-case names of the parameters of a MAIL or RCPT argument ({@code TO:<a@b> NOTIFY=NEVER}: NOTIFY). */
    public static List<String> names(String argument) {
        return parameters(argument).stream().map(MailParameters::name).toList();
    }

    /** A parameter's upper-case name: what stands before its {@code =}, or all of it ({@code SMTPUTF8}). */
    private static String name(String parameter) {
        int equals = parameter.indexOf('=');
        return (equals < 0 ? parameter : parameter.substring(0, equals)).toUpperCase(Locale.ROOT);
    }

    /**
     * The parameters after the path: they follow its closing bracket, as in James's parser (AUTH=<...> may hold
     * more brackets); none when there is no bracketed path.
     */
    private static List<String> parameters(String argument) {
        if (argument == null) {
            return List.of();
        }
        int open = argument.indexOf('<');
        int close = open < 0 ? -1 : argument.indexOf('>', open);
        if (close < 0) {
            return List.of();
        }
        return Arrays.stream(argument.substring(close + 1).trim().split("\\s+")).filter(p -> !p.isEmpty()).toList();
    }
}
