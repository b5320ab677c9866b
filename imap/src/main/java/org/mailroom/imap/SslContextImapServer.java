package org.mailroom.imap;

import javax.net.ssl.SSLContext;

import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.protocols.netty.Encryption;

/**
 * A James {@link IMAPServer} that takes its TLS from an {@link SSLContext} built by Mailroom.
 *
 * <p>James 3.8.1 only builds TLS from keystore paths resolved through its {@code FileSystem}
 * ({@code tls.keystore} and friends); overriding {@link #buildSSLContext()} lets the composition root hand over an
 * already loaded context and keeps James's file lookup out of the picture.
 */
final class SslContextImapServer extends IMAPServer {

    private final SSLContext sslContext;
    private final boolean implicitTls;

    SslContextImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor, ImapMetrics metrics,
                         GaugeRegistry gauges, SSLContext sslContext, boolean implicitTls) {
        super(decoder, encoder, processor, metrics, gauges);
        this.sslContext = sslContext;
        this.implicitTls = implicitTls;
    }

    @Override
    protected void buildSSLContext() {
        encryption = implicitTls ? Encryption.createTls(sslContext) : Encryption.createStartTls(sslContext);
    }
}
