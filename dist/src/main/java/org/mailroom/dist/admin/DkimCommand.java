package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

import org.mailroom.smtp.outbound.dkim.DkimKey;
import org.mailroom.smtp.outbound.dkim.DkimKeyDirectory;
import org.mailroom.smtp.outbound.dkim.DkimKeyException;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom admin dkim create|show}: the per-domain keys outbound mail is signed with, and the DNS record
 * each needs. The key is a file in the data directory, so a key made while the server runs signs the next message.
 */
@Command(name = "dkim", mixinStandardHelpOptions = true,
    description = "Creates and shows the DKIM keys outbound mail is signed with.")
final class DkimCommand {
    private final Supplier<DkimKeyDirectory> keys;
    private final Supplier<UserDirectory> directory;

    @Spec
    private CommandSpec spec;

    DkimCommand(Supplier<DkimKeyDirectory> keys, Supplier<UserDirectory> directory) {
        this.keys = keys;
        this.directory = directory;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Makes a 2048-bit RSA key for a hosted domain and prints the DNS TXT record to publish.")
    int create(@Parameters(paramLabel = "DOMAIN", description = "a hosted domain, for example example.org") String domain,
               @Option(names = "--selector", paramLabel = "S",
                   description = "the DNS label of the key (default: mail and the year and month, e.g. mail202611)")
               String selector) {
        String d = domain.toLowerCase(Locale.ROOT);
        try (UserDirectory dir = directory.get()) {
            if (!dir.domains().list().contains(d)) {
                throw new UserAdminException(domain + " is not a hosted domain; add it first with 'admin domain add'");
            }
        }
        String s = selector != null ? selector
            : "mail" + YearMonth.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMM"));
        DkimKey key = refusing(() -> keys.get().create(d, s));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Created the DKIM key of " + key.domain() + " (selector " + key.selector() + ") in "
            + keys.get().file(key.domain(), key.selector()));
        out.println("Outbound mail from " + key.domain() + " is signed with it. Publish this DNS record so that receivers"
            + " can verify the signatures:");
        out.println(key.zoneFileLine());
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints a domain's selector, key file and DNS TXT record.")
    int show(@Parameters(paramLabel = "DOMAIN") String domain) {
        DkimKey key = refusing(() -> keys.get().find(domain))
            .orElseThrow(() -> new UserAdminException(domain + " has no DKIM key; make one with 'admin dkim create "
                + domain + "'"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("domain:   " + key.domain());
        out.println("selector: " + key.selector());
        out.println("key file: " + keys.get().file(key.domain(), key.selector()));
        out.println("record:   " + key.zoneFileLine());
        return 0;
    }

    private static <T> T refusing(Supplier<T> action) {
        try {
            return action.get();
        } catch (DkimKeyException e) {
            throw new UserAdminException(e.getMessage());
        }
    }
}
