package org.mailroom.dist.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server side's only key, replaceable while the server runs: listeners keep the one TLS context they were
 * given, and a reloaded certificate reaches the next handshake without any of them being rebuilt.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS_PREFIX = "mailroom-";

    /** A private key and the chain that goes with it, swapped as one so no handshake sees half of each. */
    record Identity(PrivateKey key, X509Certificate[] chain) {
    }

    /** The identity and its generation, read together: a handshake picks an alias, then asks for its key and chain. */
    private record Current(int generation, Identity identity, Identity previous) {
    }

    private volatile Current current;

    SwappableKeyManager(Identity identity) {
        this.current = new Current(0, identity, null);
    }

    synchronized void swap(Identity identity) {
        Current now = current;
        // The previous identity stays answerable for handshakes that chose its alias just before the swap.
        this.current = new Current(now.generation() + 1, identity, now.identity());
    }

    private Identity identityFor(String alias) {
        Current now = current;
        if ((ALIAS_PREFIX + now.generation()).equals(alias)) {
            return now.identity();
        }
        if (now.previous() != null && (ALIAS_PREFIX + (now.generation() - 1)).equals(alias)) {
            return now.previous();
        }
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        // The JDK asks once per key type the handshake could use ("EC", "RSA", ...); answer only for ours.
        Current now = current;
        return keyType != null && keyType.equals(now.identity().key().getAlgorithm())
            ? ALIAS_PREFIX + now.generation() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = chooseServerAlias(keyType, issuers, null);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity identity = identityFor(alias);
        return identity == null ? null : identity.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity identity = identityFor(alias);
        return identity == null ? null : identity.key();
    }

    // A server presents a certificate; it never authenticates as a client.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
