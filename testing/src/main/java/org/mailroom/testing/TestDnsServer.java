package org.mailroom.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative-looking DNS responder for tests, built on dnsjava: UDP and TCP on 127.0.0.1 (one port, chosen
 * free), answering the A, AAAA, TXT and MX records added with {@code add...}; a name with records but none of the
 * asked type gets an empty NOERROR answer, any other name NXDOMAIN. {@link #failWith} makes a name answer SERVFAIL,
 * {@link #setSilent} drops every query (a resolver then times out), {@link #silenceFor} only those for one name. Thread-safe; records may change while running.
 *
 * <p>Point a dnsjava {@code SimpleResolver} at {@link #address()}; answers too large for UDP are truncated (TC set),
 * so the resolver retries over TCP as a real one would.
 */
public final class TestDnsServer implements AutoCloseable {

    private static final long TTL = 60;

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> failing = ConcurrentHashMap.newKeySet();
    private final Set<Name> silentNames = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final InetSocketAddress address;
    private volatile boolean silent;
    private volatile boolean closed;

    private TestDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        this.address = new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
        daemon(this::serveUdp);
        daemon(this::serveTcp);
    }

    /** Binds UDP and TCP on the same free port of 127.0.0.1 and starts answering. */
    public static TestDnsServer start() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                ServerSocket tcp = new ServerSocket();
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
                return new TestDnsServer(udp, tcp);
            } catch (IOException taken) {
                udp.close();
                last = taken;
            }
        }
        throw last;
    }

    /** Where it listens (still the same after {@link #close}, e.g. to test a resolver pointed at a dead server). */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public TestDnsServer addA(String name, String ipv4) {
        return add(new ARecord(name(name), DClass.IN, TTL, address(ipv4)));
    }

    public TestDnsServer addAaaa(String name, String ipv6) {
        return add(new AAAARecord(name(name), DClass.IN, TTL, address(ipv6)));
    }

    /** One TXT record; text longer than 255 bytes is split into several character-strings, as zone files do. */
    public TestDnsServer addTxt(String name, String text) {
        List<String> strings = new ArrayList<>();
        for (int start = 0; start < text.length(); start += 255) {
            strings.add(text.substring(start, Math.min(text.length(), start + 255)));
        }
        if (strings.isEmpty()) {
            strings.add("");
        }
        return add(new TXTRecord(name(name), DClass.IN, TTL, strings));
    }

    public TestDnsServer addMx(String name, int preference, String host) {
        return add(new MXRecord(name(name), DClass.IN, TTL, preference, name(host)));
    }

    /** An alias: {@code name} CNAME {@code target} (answered to CNAME queries; not chased, as no server here recurses). */
    public TestDnsServer addCname(String name, String target) {
        return add(new CNAMERecord(name(name), DClass.IN, TTL, name(target)));
    }

    /** A null MX (RFC 7505): the domain accepts no mail. */
    public TestDnsServer addNullMx(String name) {
        return add(new MXRecord(name(name), DClass.IN, TTL, 0, Name.root));
    }

    /** Queries for {@code name} (any type) are read and never answered: the asker times out. */
    public TestDnsServer silenceFor(String name) {
        silentNames.add(name(name));
        return this;
    }

    public TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), n -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    /** Every query for {@code name} (any type) gets SERVFAIL. */
    public TestDnsServer failWith(String name) {
        failing.add(name(name));
        return this;
    }

    /** While true, queries are read and never answered. */
    public void setSilent(boolean silent) {
        this.silent = silent;
    }

    /** Forgets all records, failures and the query log. */
    public void clear() {
        records.clear();
        failing.clear();
        silentNames.clear();
        queries.clear();
        silent = false;
    }

    /** The questions received so far, as {@code name TYPE} (e.g. {@code 2.0.0.127.zen.test. A}), oldest first. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    /** Whether a query gets no answer at all (server silent, or silenced for its name). */
    private boolean ignores(Message query) {
        Record question = query.getQuestion();
        return silent || question != null && silentNames.contains(question.getName());
    }

    /** The answer for one query message: what both transports send. */
    Message answer(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        queries.add(question.getName() + " " + Type.string(question.getType()));
        if (failing.contains(question.getName())) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        List<Record> known = records.get(question.getName());
        if (known == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        for (Record record : known) {
            if (record.getType() == question.getType() || question.getType() == Type.ANY) {
                response.addRecord(record, Section.ANSWER);
            }
        }
        return response;
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                if (silent) {
                    continue;
                }
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                if (ignores(query)) {
                    queries.add(query.getQuestion().getName() + " " + Type.string(query.getQuestion().getType()));
                    continue;
                }
                int max = query.getOPT() != null ? Math.max(512, query.getOPT().getPayloadSize()) : 512;
                byte[] wire = answer(query).toWire(max);
                udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (SocketException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // A malformed query: ignore it, as servers do.
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket client = tcp.accept();
                daemon(() -> serveTcpClient(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcpClient(Socket client) {
        try (client) {
            client.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(client.getInputStream());
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            while (!closed) {
                int length = in.readUnsignedShort();
                byte[] query = in.readNBytes(length);
                Message parsed = new Message(query);
                if (ignores(parsed)) {
                    continue;
                }
                byte[] wire = answer(parsed).toWire();
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // Client went away or sent garbage.
        }
    }

    private void daemon(Runnable body) {
        Thread thread = new Thread(body, "test-dns-" + port() + "-" + threads.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad DNS name: " + name, e);
        }
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad IP literal: " + ip, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
