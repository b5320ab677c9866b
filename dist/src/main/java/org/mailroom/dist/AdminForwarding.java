package org.mailroom.dist;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.mailroom.dist.admin.PasswordInput;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.control.AdminClient;
import org.mailroom.dist.control.AdminEndpointFile;
import org.mailroom.dist.control.AdminReply;
import org.mailroom.dist.control.AdminRequest;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Hands an admin command line to the running server, if there is one. The whole command line goes as typed, so
 * every admin command (those added later included) works while the server runs without code of its own. The only
 * input a command reads is a password: it is taken here, on the caller's terminal or standard input, and sent
 * as the standard input of {@code --password-stdin}; nothing is ever read from the server's side.
 */
final class AdminForwarding {
    private static final String PASSWORD_STDIN = "--password-stdin";

    private AdminForwarding() {
    }

    /** The forwarded command's exit code, or empty when no server runs (the caller runs the command itself). */
    static Optional<Integer> forwardIfRunning(ConfigSource configSource, Launch launch, ParseResult parsed,
                                              PrintWriter out, PrintWriter err) {
        MailroomConfig config = configSource.load();
        Optional<AdminEndpointFile> endpoint = AdminEndpointFile.ofRunningServer(config.storage().dataDirectory());
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        List<String> args = new ArrayList<>(parsed.originalArgs());
        String stdin = "";
        ParseResult leaf = leaf(parsed);
        OptionSpec passwordOption = leaf.commandSpec().findOption(PASSWORD_STDIN);
        if (passwordOption != null) {
            boolean fromStdin = leaf.hasMatchedOption(PASSWORD_STDIN);
            Object first = leaf.matchedPositionals().isEmpty() ? "" : leaf.matchedPositionals().get(0).getValue();
            String address = String.valueOf(first);
            char[] password = new PasswordInput(launch.stdin(), launch.console()).read(fromStdin, address);
            stdin = new String(password) + "\n";
            Arrays.fill(password, '\0');
            if (!fromStdin) {
                args.add(PASSWORD_STDIN);
            }
        }
        Optional<AdminReply> reply = AdminClient.send(endpoint.get(),
            new AdminRequest(args, stdin, launch.workingDirectory().toString()));
        reply.ifPresent(r -> {
            out.print(r.out());
            out.flush();
            err.print(r.err());
            err.flush();
        });
        return reply.map(AdminReply::exitCode);
    }

    private static ParseResult leaf(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return leaf;
    }
}
