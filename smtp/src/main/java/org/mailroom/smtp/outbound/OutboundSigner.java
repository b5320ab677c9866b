package org.mailroom.smtp.outbound;

/** Signs a message on its way out (DKIM); {@link #none()} leaves it as it is. */
@FunctionalInterface
public interface OutboundSigner {

    /** The message to transmit: {@code message} itself, or a copy with signature headers prepended. */
    byte[] sign(byte[] message);

    static OutboundSigner none() {
        return message -> message;
    }
}
