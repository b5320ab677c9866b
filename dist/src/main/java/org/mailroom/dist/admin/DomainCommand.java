package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.util.function.Supplier;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailroom admin domain add|list|remove}: the domains this server receives mail for. */
@Command(name = "domain", mixinStandardHelpOptions = true, description = "Adds, lists and removes hosted domains.")
final class DomainCommand {
    private final Supplier<UserDirectory> directory;

    @Spec
    private CommandSpec spec;

    DomainCommand(Supplier<UserDirectory> directory) {
        this.directory = directory;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Hosts mail for a domain.")
    int add(@Parameters(paramLabel = "DOMAIN", description = "for example example.org") String domain) {
        try (UserDirectory dir = directory.get()) {
            dir.domains().add(domain);
        }
        out().println("Added domain " + domain);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints the hosted domains, one a line.")
    int list() {
        try (UserDirectory dir = directory.get()) {
            dir.domains().list().forEach(out()::println);
        }
        return 0;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Stops hosting a domain (refused while it still has users).")
    int remove(@Parameters(paramLabel = "DOMAIN") String domain) {
        try (UserDirectory dir = directory.get()) {
            dir.domains().remove(domain);
        }
        out().println("Removed domain " + domain);
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
