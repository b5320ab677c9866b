package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.util.function.Supplier;

import org.mailroom.storage.user.Alias;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailroom admin alias add|list|remove}: extra addresses whose mail goes to local users. */
@Command(name = "alias", mixinStandardHelpOptions = true, description = "Adds, lists and removes aliases.")
final class AliasCommand {
    private final Supplier<UserDirectory> directory;

    @Spec
    private CommandSpec spec;

    AliasCommand(Supplier<UserDirectory> directory) {
        this.directory = directory;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Delivers mail for ALIAS to the local user TARGET (an alias may have several targets).")
    int add(@Parameters(paramLabel = "ALIAS", description = "an address, or @domain for a catch-all") String alias,
            @Parameters(paramLabel = "TARGET", description = "a local user") String target) {
        try (UserDirectory dir = directory.get()) {
            dir.aliases().add(alias, target);
        }
        out().println("Added alias " + alias + " -> " + target);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Prints the aliases, one 'alias -> target' a line.")
    int list() {
        try (UserDirectory dir = directory.get()) {
            for (Alias alias : dir.aliases().list()) {
                out().println(alias.address() + " -> " + alias.target());
            }
        }
        return 0;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Removes one target of an alias, or the whole alias when no target is given.")
    int remove(@Parameters(paramLabel = "ALIAS") String alias,
               @Parameters(paramLabel = "TARGET", arity = "0..1") String target) {
        try (UserDirectory dir = directory.get()) {
            if (target == null) {
                dir.aliases().remove(alias);
            } else {
                dir.aliases().remove(alias, target);
            }
        }
        out().println(target == null ? "Removed alias " + alias : "Removed alias " + alias + " -> " + target);
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
