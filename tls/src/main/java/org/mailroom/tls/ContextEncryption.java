package org.mailroom.tls;

import org.apache.james.protocols.api.ClientAuth;
import org.apache.james.protocols.netty.Encryption;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * James's {@link Encryption} over a Netty {@link SslContext}: James's own implementation only wraps a JDK
 * {@code SSLContext}, whose engines are always the JDK's. The handler is made as James makes it (server mode, no
 * {@code startTls} flag): the STARTTLS answer is written before the handler joins the pipeline.
 */
final class ContextEncryption implements Encryption {
    private final SslContext context;
    private final boolean startTls;

    ContextEncryption(SslContext context, boolean startTls) {
        this.context = context;
        this.startTls = startTls;
    }

    @Override
    public boolean isStartTLS() {
        return startTls;
    }

    @Override
    public boolean supportsEncryption() {
        return true;
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return context.cipherSuites().toArray(String[]::new);
    }

    @Override
    public ClientAuth getClientAuth() {
        return ClientAuth.NONE;
    }

    @Override
    public SslHandler sslHandler() {
        // OpenSSL engines hold native memory; the SslHandler releases its engine when it leaves the pipeline.
        return context.newHandler(ByteBufAllocator.DEFAULT);
    }
}
