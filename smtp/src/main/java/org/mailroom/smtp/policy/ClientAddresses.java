package org.mailroom.smtp.policy;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Which client addresses the DNS checks skip: ones no public list or SPF record can speak about. */
final class ClientAddresses {

    private ClientAddresses() {
    }

    /** Loopback, unspecified, link-local, RFC 1918, RFC 6598 (CGNAT) and IPv6 unique-local (fc00::/7). */
    static boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
            || address.isSiteLocalAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc;
        }
        return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
    }
}
