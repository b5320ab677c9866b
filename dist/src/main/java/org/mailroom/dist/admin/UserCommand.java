package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.Supplier;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailroom admin user add|list|passwd|remove}: the mailbox owners who log in with a password. */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = "Adds, lists and removes users, and changes their passwords.")
final class UserCommand {
    private static final String STDIN_HELP = "Read the password from the first line of standard input"
        + " instead of asking on the terminal.";

    private final Supplier<UserDirectory> directory;
    private final PasswordInput passwords;

    @Spec
    private CommandSpec spec;

    UserCommand(Supplier<UserDirectory> directory, PasswordInput passwords) {
        this.directory = directory;
        this.passwords = passwords;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Adds a user in a hosted domain; the password is asked for, never given as an argument.")
    int add(@Parameters(paramLabel = "ADDRESS", description = "for example alice@example.org") String address,
            @Option(names = "--password-stdin", description = STDIN_HELP) boolean passwordStdin) {
        // The password is read before the store opens, so a slow typist does not hold the database.
        char[] password = passwords.read(passwordStdin, address);
        try (UserDirectory dir = directory.get()) {
            dir.users().add(address, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        out().println("Added user " + address);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints the users, one a line.")
    int list(@Parameters(paramLabel = "DOMAIN", arity = "0..1", description = "only the users of this domain")
             String domain) {
        try (UserDirectory dir = directory.get()) {
            (domain == null ? dir.users().list() : dir.users().list(domain)).forEach(out()::println);
        }
        return 0;
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Changes a user's password.")
    int passwd(@Parameters(paramLabel = "ADDRESS") String address,
               @Option(names = "--password-stdin", description = STDIN_HELP) boolean passwordStdin) {
        char[] password = passwords.read(passwordStdin, address);
        try (UserDirectory dir = directory.get()) {
            dir.users().changePassword(address, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        out().println("Changed the password of " + address);
        return 0;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a user.")
    int remove(@Parameters(paramLabel = "ADDRESS") String address) {
        try (UserDirectory dir = directory.get()) {
            dir.users().remove(address);
        }
        out().println("Removed user " + address);
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
