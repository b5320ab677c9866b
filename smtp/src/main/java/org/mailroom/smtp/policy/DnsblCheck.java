package org.mailroom.smtp.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.policy.SessionVerdicts.DnsblListings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks the configured DNS block lists about an unauthenticated client at its first RCPT (once per connection, all
 * zones in parallel): {@code <reversed IP>.<zone>} A, then TXT for the reason. A {@link DnsblZone.Action#REJECT}
 * listing refuses every RCPT with {@code 554 5.7.1 <zone>: <text>}; {@link DnsblZone.Action#SCORE} listings are
 * recorded for the sorter ({@link SessionVerdicts}) and the client is accepted.
 *
 * <p>Fails open: a zone that times out (the {@link DnsSettings} timeout) or errors is logged and counts as "not
 * listed". Clients on loopback/private addresses are never looked up (unless {@code lookupLocalClients}, for tests).
 * Only return codes in 127.0.0.0/8 are listings; 127.255.255.x (Spamhaus's "query refused" codes) and answers
 * outside 127/8 (resolvers that rewrite NXDOMAIN) are logged and ignored.
 */
public final class DnsblCheck implements RcptHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(DnsblCheck.class);
    private static final int MAX_REASON = 200;

    private final List<DnsblZone> zones;
    private final DnsClient dns;
    private final boolean lookupLocalClients;

    public DnsblCheck(List<DnsblZone> zones, DnsClient dns, boolean lookupLocalClients) {
        this.zones = List.copyOf(zones);
        this.dns = Objects.requireNonNull(dns, "dns");
        this.lookupLocalClients = lookupLocalClients;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (zones.isEmpty() || session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        if (!lookupLocalClients && ClientAddresses.isLocal(client)) {
            return HookResult.DECLINED;
        }
        DnsblListings listings = session.getAttachment(SessionVerdicts.DNSBL, State.Connection).orElse(null);
        if (listings == null) {
            listings = new DnsblListings(lookup(client));
            session.setAttachment(SessionVerdicts.DNSBL, listings, State.Connection);
            if (!listings.listings().isEmpty()) {
                LOGGER.info("session {}: client {} listed: {}", session.getSessionID(), client.getHostAddress(),
                    listings.listings());
            }
        }
        for (DnsblResult listing : listings.listings()) {
            if (listing.action() == DnsblZone.Action.REJECT) {
                return SmtpReplies.deny("554", "5.7.1 " + listing.zone() + ": " + listing.reason());
            }
        }
        return HookResult.DECLINED;
    }

    /** Every configured zone that lists {@code client}, in configuration order; waits at most about one timeout. */
    public List<DnsblResult> lookup(InetAddress client) {
        List<CompletableFuture<DnsblResult>> pending = new ArrayList<>();
        for (DnsblZone zone : zones) {
            pending.add(lookup(client, zone));
        }
        // Each zone's A query, then TXT query, has its own timeout; this bounds the whole wait.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * dns.timeout().toMillis() + 1000);
        List<DnsblResult> listed = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            DnsblZone zone = zones.get(i);
            try {
                DnsblResult result = pending.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (result != null) {
                    listed.add(result);
                }
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                LOGGER.warn("DNSBL {} lookup for {} failed, treating as not listed: {}", zone.zone(),
                    client.getHostAddress(), cause.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return listed;
    }

    private CompletableFuture<DnsblResult> lookup(InetAddress client, DnsblZone zone) {
        Name name;
        try {
            name = Name.fromString(reversed(client) + "." + zone.zone() + ".");
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(e);
        }
        return dns.queryAsync(name, Type.A).thenCompose(answer -> {
            List<String> codes = new ArrayList<>();
            for (Record record : answer.records()) {
                InetAddress code = ((ARecord) record).getAddress();
                byte[] bytes = code.getAddress();
                if ((bytes[0] & 0xff) == 127 && !((bytes[1] & 0xff) == 255 && (bytes[2] & 0xff) == 255)) {
                    codes.add(code.getHostAddress());
                } else {
                    LOGGER.warn("DNSBL {} answered {} for {}: not a listing code, ignored", zone.zone(),
                        code.getHostAddress(), client.getHostAddress());
                }
            }
            if (codes.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return dns.queryAsync(name, Type.TXT)
                .handle((txt, error) -> new DnsblResult(zone.zone(), zone.action(), codes,
                    reason(txt, error, zone.defaultReason())));
        });
    }

    private static String reason(DnsClient.Answer txt, Throwable error, String fallback) {
        if (error != null || txt == null || txt.isEmpty()) {
            return fallback;
        }
        String text = String.join("", ((TXTRecord) txt.records().get(0)).getStrings());
        StringBuilder clean = new StringBuilder();
        text.codePoints().limit(MAX_REASON).map(c -> c >= 32 && c < 127 ? c : '_').forEach(clean::appendCodePoint);
        String reason = clean.toString().strip();
        return reason.isEmpty() ? fallback : reason;
    }

    /** {@code 4.3.2.1} for 1.2.3.4; 32 nibbles, least significant first, for IPv6. */
    static String reversed(InetAddress address) {
        byte[] bytes = address.getAddress();
        StringBuilder out = new StringBuilder();
        if (address instanceof Inet4Address) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                out.append(bytes[i] & 0xff).append(i > 0 ? "." : "");
            }
            return out.toString();
        }
        for (int i = bytes.length - 1; i >= 0; i--) {
            out.append(Character.forDigit(bytes[i] & 0xf, 16)).append('.')
                .append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(i > 0 ? "." : "");
        }
        return out.toString();
    }
}
