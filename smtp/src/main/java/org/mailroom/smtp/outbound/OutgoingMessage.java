package org.mailroom.smtp.outbound;

import java.util.Objects;

/**
 * The bytes of one queued message as they go out, in the form a remote can take: signed as they are when the
 * remote offers 8BITMIME (or the message is 7-bit), or converted to 7 bit first ({@link EightBitDowngrade}) and
 * signed after the conversion, so that a DKIM signature covers the bytes actually sent. Each form is computed at
 * most once, when a remote first needs it; one instance serves every host of one attempt.
 */
final class OutgoingMessage {

    private final byte[] queued;
    private final OutboundSigner signer;
    private final boolean eightBit;
    private byte[] asQueued;
    private byte[] sevenBit;

    OutgoingMessage(byte[] queued, OutboundSigner signer) {
        this.queued = Objects.requireNonNull(queued, "queued");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.eightBit = EightBitDowngrade.hasEightBitBytes(queued);
    }

    /** A message sent without signing (tests, tools). */
    static OutgoingMessage unsigned(byte[] queued) {
        return new OutgoingMessage(queued, OutboundSigner.none());
    }

    boolean isEightBit() {
        return eightBit;
    }

    /** The bytes to transmit to a remote that offers 8BITMIME ({@code true}) or not. */
    synchronized byte[] bytesFor(boolean remoteTakesEightBit) {
        if (!eightBit || remoteTakesEightBit) {
            if (asQueued == null) {
                asQueued = signer.sign(queued);
            }
            return asQueued;
        }
        if (sevenBit == null) {
            sevenBit = signer.sign(EightBitDowngrade.toSevenBit(queued));
        }
        return sevenBit;
    }
}
