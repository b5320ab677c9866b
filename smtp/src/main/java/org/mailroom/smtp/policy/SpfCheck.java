package org.mailroom.smtp.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.mailroom.smtp.policy.SpfResult.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * SPF (RFC 7208) of the envelope sender at MAIL FROM — the MAIL FROM domain, or the HELO name for the null sender —
 * for the connecting client. Never refuses: the result is stored on the session for the sorter
 * ({@link SessionVerdicts}) and written into a {@code Received-SPF:} header by delivery. Skipped for authenticated
 * sessions and for clients on loopback/private addresses (unless {@code lookupLocalClients}, for tests).
 *
 * <p>Supported: {@code all, include, a, mx, ptr, ip4, ip6, exists}, qualifiers, {@code redirect=}, macros in
 * domain-specs; {@code exp=} is parsed and ignored (Mailroom does not reject, so never explains). Limits (section
 * 4.6.4): 10 DNS-querying terms, 10 MX/PTR names per term, 2 void lookups — beyond, permerror. A DNS failure is
 * temperror; the whole evaluation is bounded by {@link #BUDGET_FACTOR} query timeouts.
 */
public final class SpfCheck implements MailHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(SpfCheck.class);
    /** The whole evaluation may take this many per-query timeouts (RFC 7208 suggests at least 20 s in total). */
    static final int BUDGET_FACTOR = 5;
    private static final int MAX_LOOKUPS = 10;
    private static final int MAX_VOID_LOOKUPS = 2;
    private static final int MAX_NAMES = 10;
    private static final Pattern MODIFIER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9\\-_.]*");

    private final DnsClient dns;
    private final boolean lookupLocalClients;

    public SpfCheck(DnsClient dns, boolean lookupLocalClients) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.lookupLocalClients = lookupLocalClients;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        session.removeAttachment(SessionVerdicts.SPF, State.Transaction);
        InetAddress client = session.getRemoteAddress().getAddress();
        if (session.getUsername() != null || (!lookupLocalClients && ClientAddresses.isLocal(client))) {
            return HookResult.DECLINED;
        }
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).orElse("");
        SpfResult result = evaluate(client, sender.asOptional().map(MailAddress::asString).orElse(null), helo);
        session.setAttachment(SessionVerdicts.SPF, result, State.Transaction);
        LOGGER.info("session {}: SPF {} for {} from {}{}", session.getSessionID(), result.result().keyword(),
            result.sender(), result.clientIp(), result.problem() == null ? "" : " (" + result.problem() + ")");
        return HookResult.DECLINED;
    }

    /**
     * Evaluates SPF: {@code mailFrom} null or empty means the null sender, then the HELO identity is checked
     * ({@code postmaster@<helo>}).
     */
    public SpfResult evaluate(InetAddress client, String mailFrom, String helo) {
        String heloName = helo == null ? "" : helo;
        boolean heloIdentity = mailFrom == null || mailFrom.isEmpty();
        String sender = heloIdentity ? "postmaster@" + heloName : mailFrom;
        int at = sender.lastIndexOf('@');
        String local = at > 0 ? sender.substring(0, at) : "postmaster";
        String domain = at >= 0 ? sender.substring(at + 1) : sender;
        if (at <= 0) {
            sender = local + "@" + domain;
        }
        Evaluation evaluation = new Evaluation(client, sender, local, domain, heloName);
        Result result;
        String mechanism = null;
        String problem = null;
        try {
            Matched matched = evaluation.checkHost(domain, true);
            result = matched.result();
            mechanism = matched.mechanism();
            problem = matched.problem();
        } catch (SpfError e) {
            result = e.result;
            problem = e.getMessage();
        }
        return new SpfResult(result, heloIdentity ? "helo" : "mailfrom", domain, sender, client.getHostAddress(),
            heloName, mechanism, problem);
    }

    private record Matched(Result result, String mechanism, String problem) {
    }

    private static final class SpfError extends Exception {
        final Result result;

        SpfError(Result result, String message) {
            super(message, null, false, false);
            this.result = result;
        }
    }

    private static SpfError permerror(String message) {
        return new SpfError(Result.PERMERROR, message);
    }

    /** One check_host() run with its shared counters. */
    private final class Evaluation {
        private final InetAddress client;
        private final String sender;
        private final String senderLocal;
        private final String senderDomain;
        private final String helo;
        private final long deadline;
        private int lookups;
        private int voids;

        Evaluation(InetAddress client, String sender, String senderLocal, String senderDomain, String helo) {
            this.client = client;
            this.sender = sender;
            this.senderLocal = senderLocal;
            this.senderDomain = senderDomain;
            this.helo = helo;
            this.deadline = System.nanoTime() + dns.timeout().toNanos() * BUDGET_FACTOR;
        }

        /** check_host(): throws for temperror/permerror; {@code top} = the first call, not an include/redirect. */
        Matched checkHost(String domain, boolean top) throws SpfError {
            Name name = domainName(domain);
            if (name == null) {
                return new Matched(Result.NONE, null, "invalid domain " + domain);
            }
            DnsClient.Answer answer = query(name, Type.TXT, !top);
            List<String> spf = new ArrayList<>();
            for (Record record : answer.records()) {
                String text = String.join("", ((TXTRecord) record).getStrings());
                if (text.regionMatches(true, 0, "v=spf1", 0, 6) && (text.length() == 6 || text.charAt(6) == ' ')) {
                    spf.add(text);
                }
            }
            if (spf.isEmpty()) {
                return new Matched(Result.NONE, null, null);
            }
            if (spf.size() > 1) {
                throw permerror("more than one SPF record for " + domain);
            }
            List<Term> terms = parse(spf.get(0));
            String redirect = null;
            boolean exp = false;
            for (Term term : terms) {
                if (term.modifier && term.name.equals("redirect")) {
                    if (redirect != null) {
                        throw permerror("redirect= twice in " + domain);
                    }
                    redirect = term.argument;
                } else if (term.modifier && term.name.equals("exp")) {
                    if (exp) {
                        throw permerror("exp= twice in " + domain);
                    }
                    exp = true;
                }
            }
            for (Term term : terms) {
                if (!term.modifier && matches(term, domain)) {
                    return new Matched(term.qualifier, term.text, null);
                }
            }
            if (redirect == null) {
                return new Matched(Result.NEUTRAL, "default", null);
            }
            countLookup();
            String target = expand(redirect, domain);
            Matched redirected = checkHost(target, false);
            if (redirected.result() == Result.NONE) {
                throw permerror("redirect target " + target + " has no SPF record");
            }
            return redirected;
        }

        private boolean matches(Term term, String domain) throws SpfError {
            switch (term.name) {
                case "all":
                    return true;
                case "ip4":
                case "ip6":
                    return inNetwork(client, term.network, term.name.equals("ip4") ? term.cidr4 : term.cidr6);
                case "include": {
                    countLookup();
                    String target = expand(term.argument, domain);
                    Matched included = checkHost(target, false);
                    return switch (included.result()) {
                        case PASS -> true;
                        case NONE -> throw permerror("included domain " + target + " has no SPF record");
                        default -> false;
                    };
                }
                case "a": {
                    countLookup();
                    return anyAddressMatches(target(term, domain), term);
                }
                case "mx": {
                    countLookup();
                    List<Record> mx = query(target(term, domain), Type.MX, true).records();
                    if (mx.size() > MAX_NAMES) {
                        throw permerror("more than " + MAX_NAMES + " MX records for " + term.text);
                    }
                    for (Record record : mx) {
                        if (anyAddressMatches(((MXRecord) record).getTarget(), term)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "ptr": {
                    countLookup();
                    Name target = target(term, domain);
                    List<Record> ptrs = query(ReverseMap.fromAddress(client), Type.PTR, true).records();
                    int checked = 0;
                    for (Record record : ptrs) {
                        if (checked++ >= MAX_NAMES) {
                            break;
                        }
                        Name host = ((PTRRecord) record).getTarget();
                        if ((host.equals(target) || host.subdomain(target)) && anyAddressMatches(host, null)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "exists": {
                    countLookup();
                    Name target = domainName(expand(term.argument, domain));
                    return target != null && !query(target, Type.A, true).isEmpty();
                }
                default:
                    throw permerror("unknown mechanism " + term.text);
            }
        }

        private Name target(Term term, String domain) throws SpfError {
            String spec = term.argument == null ? domain : expand(term.argument, domain);
            Name name = domainName(spec);
            if (name == null) {
                throw permerror("invalid domain " + spec + " in " + term.text);
            }
            return name;
        }

        /** A or AAAA (by the client's family) of {@code host}; compares within the term's prefix (or exactly). */
        private boolean anyAddressMatches(Name host, Term term) throws SpfError {
            boolean v4 = client instanceof Inet4Address;
            for (Record record : query(host, v4 ? Type.A : Type.AAAA, true).records()) {
                InetAddress address = v4 ? ((ARecord) record).getAddress() : ((AAAARecord) record).getAddress();
                int prefix = term == null ? (v4 ? 32 : 128) : (v4 ? term.cidr4 : term.cidr6);
                if (inNetwork(client, address, prefix)) {
                    return true;
                }
            }
            return false;
        }

        private void countLookup() throws SpfError {
            if (++lookups > MAX_LOOKUPS) {
                throw permerror("more than " + MAX_LOOKUPS + " DNS lookups");
            }
        }

        private DnsClient.Answer query(Name name, int type, boolean countVoid) throws SpfError {
            if (System.nanoTime() > deadline) {
                throw new SpfError(Result.TEMPERROR, "SPF evaluation took too long");
            }
            DnsClient.Answer answer;
            try {
                answer = dns.query(name, type);
            } catch (DnsClient.DnsFailure e) {
                throw new SpfError(Result.TEMPERROR, "DNS error: " + e.getMessage());
            }
            if (countVoid && answer.isEmpty() && ++voids > MAX_VOID_LOOKUPS) {
                throw permerror("more than " + MAX_VOID_LOOKUPS + " void DNS lookups");
            }
            return answer;
        }

        /** Macro expansion (RFC 7208 section 7) of a domain-spec. */
        private String expand(String spec, String domain) throws SpfError {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < spec.length(); i++) {
                char c = spec.charAt(i);
                if (c != '%') {
                    out.append(c);
                    continue;
                }
                if (++i >= spec.length()) {
                    throw permerror("bad macro in " + spec);
                }
                char next = spec.charAt(i);
                if (next == '%') {
                    out.append('%');
                } else if (next == '_') {
                    out.append(' ');
                } else if (next == '-') {
                    out.append("%20");
                } else if (next == '{') {
                    int close = spec.indexOf('}', i);
                    if (close < 0 || close == i + 1) {
                        throw permerror("bad macro in " + spec);
                    }
                    out.append(macro(spec.substring(i + 1, close), domain));
                    i = close;
                } else {
                    throw permerror("bad macro in " + spec);
                }
            }
            String expanded = out.toString();
            while (expanded.length() > 253 && expanded.indexOf('.') >= 0) {
                expanded = expanded.substring(expanded.indexOf('.') + 1);
            }
            return expanded;
        }

        private String macro(String body, String domain) throws SpfError {
            char letter = body.charAt(0);
            String value = switch (Character.toLowerCase(letter)) {
                case 's' -> sender;
                case 'l' -> senderLocal;
                case 'o' -> senderDomain;
                case 'd' -> domain;
                case 'i' -> macroIp(client);
                case 'p' -> "unknown";
                case 'v' -> client instanceof Inet4Address ? "in-addr" : "ip6";
                case 'h' -> helo;
                default -> throw permerror("macro %{" + body + "} not allowed in a domain-spec");
            };
            int j = 1;
            int digitsStart = j;
            while (j < body.length() && Character.isDigit(body.charAt(j))) {
                j++;
            }
            int keep = j > digitsStart ? Integer.parseInt(body.substring(digitsStart, Math.min(j, digitsStart + 3)))
                : -1;
            if (keep == 0) {
                throw permerror("macro %{" + body + "} keeps zero labels");
            }
            boolean reverse = false;
            if (j < body.length() && Character.toLowerCase(body.charAt(j)) == 'r') {
                reverse = true;
                j++;
            }
            String delimiters = body.substring(j);
            if (!delimiters.chars().allMatch(d -> ".-+,/_=".indexOf(d) >= 0)) {
                throw permerror("bad macro delimiters in %{" + body + "}");
            }
            if (delimiters.isEmpty()) {
                delimiters = ".";
            }
            List<String> parts = new ArrayList<>(List.of(value.split("[" + Pattern.quote(delimiters) + "]", -1)));
            if (reverse) {
                Collections.reverse(parts);
            }
            if (keep > 0 && keep < parts.size()) {
                parts = parts.subList(parts.size() - keep, parts.size());
            }
            String result = String.join(".", parts);
            return Character.isUpperCase(letter) ? URLEncoder.encode(result, StandardCharsets.UTF_8).replace("+", "%20")
                : result;
        }
    }

    private static String macroIp(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        StringBuilder out = new StringBuilder();
        for (byte b : ip.getAddress()) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16))
                .append('.');
        }
        return out.substring(0, out.length() - 1);
    }

    /** One directive or modifier of a record. */
    private static final class Term {
        String text;
        boolean modifier;
        Result qualifier = Result.PASS;
        String name;
        String argument;
        InetAddress network;
        int cidr4 = 32;
        int cidr6 = 128;
    }

    static List<Term> parse(String record) throws SpfError {
        List<Term> terms = new ArrayList<>();
        for (String text : record.substring(6).trim().split(" +")) {
            if (text.isEmpty()) {
                continue;
            }
            Term term = new Term();
            term.text = text;
            int eq = text.indexOf('=');
            int colon = text.indexOf(':');
            int slash = text.indexOf('/');
            if (eq > 0 && (colon < 0 || eq < colon) && (slash < 0 || eq < slash)
                && MODIFIER_NAME.matcher(text.substring(0, eq)).matches()) {
                term.modifier = true;
                term.name = text.substring(0, eq).toLowerCase(Locale.ROOT);
                term.argument = text.substring(eq + 1);
                if ((term.name.equals("redirect") || term.name.equals("exp")) && term.argument.isEmpty()) {
                    throw permerror("empty " + term.name + "= in " + record);
                }
                terms.add(term);
                continue;
            }
            String rest = text;
            switch (rest.charAt(0)) {
                case '+' -> { term.qualifier = Result.PASS; rest = rest.substring(1); }
                case '-' -> { term.qualifier = Result.FAIL; rest = rest.substring(1); }
                case '~' -> { term.qualifier = Result.SOFTFAIL; rest = rest.substring(1); }
                case '?' -> { term.qualifier = Result.NEUTRAL; rest = rest.substring(1); }
                default -> { }
            }
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != ':' && rest.charAt(end) != '/') {
                end++;
            }
            term.name = rest.substring(0, end).toLowerCase(Locale.ROOT);
            String tail = rest.substring(end);
            String argument = null;
            String cidr = "";
            if (tail.startsWith(":")) {
                int cut = tail.indexOf('/');
                argument = cut < 0 ? tail.substring(1) : tail.substring(1, cut);
                cidr = cut < 0 ? "" : tail.substring(cut);
            } else {
                cidr = tail;
            }
            switch (term.name) {
                case "all" -> requireNone(term, argument, cidr);
                case "include", "exists" -> {
                    requireArgument(term, argument);
                    if (!cidr.isEmpty()) {
                        throw permerror("unexpected prefix length in " + text);
                    }
                    term.argument = argument;
                }
                case "ptr" -> {
                    if (!cidr.isEmpty() || "".equals(argument)) {
                        throw permerror("bad ptr mechanism " + text);
                    }
                    term.argument = argument;
                }
                case "a", "mx" -> {
                    if ("".equals(argument)) {
                        throw permerror("empty domain in " + text);
                    }
                    term.argument = argument;
                    dualCidr(term, cidr);
                }
                case "ip4" -> {
                    requireArgument(term, argument);
                    term.network = literal(argument, true, text);
                    term.cidr4 = cidr.isEmpty() ? 32 : prefix(cidr.substring(1), 32, text);
                }
                case "ip6" -> {
                    requireArgument(term, argument);
                    term.network = literal(argument, false, text);
                    term.cidr6 = cidr.isEmpty() ? 128 : prefix(cidr.substring(1), 128, text);
                }
                default -> throw permerror("unknown mechanism " + text);
            }
            terms.add(term);
        }
        return terms;
    }

    private static void requireNone(Term term, String argument, String cidr) throws SpfError {
        if (argument != null || !cidr.isEmpty()) {
            throw permerror("unexpected argument in " + term.text);
        }
    }

    private static void requireArgument(Term term, String argument) throws SpfError {
        if (argument == null || argument.isEmpty()) {
            throw permerror("missing argument in " + term.text);
        }
    }

    private static void dualCidr(Term term, String cidr) throws SpfError {
        if (cidr.isEmpty()) {
            return;
        }
        String v4 = cidr;
        int dual = cidr.indexOf("//");
        if (dual >= 0) {
            term.cidr6 = prefix(cidr.substring(dual + 2), 128, term.text);
            v4 = cidr.substring(0, dual);
        }
        if (!v4.isEmpty()) {
            term.cidr4 = prefix(v4.substring(1), 32, term.text);
        }
    }

    private static int prefix(String digits, int max, String text) throws SpfError {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)
            || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw permerror("bad prefix length in " + text);
        }
        int value = Integer.parseInt(digits);
        if (value > max) {
            throw permerror("prefix length over " + max + " in " + text);
        }
        return value;
    }

    private static InetAddress literal(String text, boolean v4, String term) throws SpfError {
        boolean looksRight = v4 ? text.matches("\\d{1,3}(\\.\\d{1,3}){3}") : text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!looksRight) {
            throw permerror("bad address in " + term);
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            if (!v4 && !(address instanceof Inet6Address)) {
                throw permerror("bad address in " + term);
            }
            return address;
        } catch (UnknownHostException e) {
            throw permerror("bad address in " + term);
        }
    }

    private static boolean inNetwork(InetAddress client, InetAddress network, int prefix) {
        byte[] a = client.getAddress();
        byte[] b = network.getAddress();
        if (a.length != b.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** A usable domain name (RFC 7208 section 4.3): at least two labels, none empty or over 63 bytes. */
    private static Name domainName(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty() || d.length() > 253 || !d.contains(".")) {
            return null;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return null;
            }
        }
        try {
            return Name.fromString(d + ".");
        } catch (TextParseException e) {
            return null;
        }
    }
}
