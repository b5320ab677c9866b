package org.mailroom.dist.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.mailroom.dist.UsageException;
import org.mailroom.sorter.message.MailFolderReader;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.BulkTraining;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.storage.sorter.JdbcTokenStore;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailroom admin spam train}: teaches the spam classifier from folders of known spam and ham. */
@Command(name = "spam", mixinStandardHelpOptions = true, description = "Trains the spam classifier.")
final class SpamCommand {
    private final Supplier<UserDirectory> directory;

    @Spec
    private CommandSpec spec;

    SpamCommand(Supplier<UserDirectory> directory) {
        this.directory = directory;
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the spam classifier from mbox files, Maildirs or message files.",
            "Without --user it trains the global model every user starts from; with --user only that user's.",
            "Training a message again is harmless; a message trained with the other label is corrected."})
    int train(@Option(names = "--spam", paramLabel = "PATH", description = "spam: mbox file, Maildir or message file")
              List<Path> spam,
              @Option(names = "--ham", paramLabel = "PATH", description = "ham (wanted mail), same formats")
              List<Path> ham,
              @Option(names = "--user", paramLabel = "ADDRESS", description = "train this user's model") String user,
              @Option(names = "--passes", paramLabel = "N", defaultValue = "" + BulkTraining.DEFAULT_PASSES,
                  description = "passes over the messages (default ${DEFAULT-VALUE})") int passes,
              @Option(names = "--orders", paramLabel = "K", defaultValue = "" + BulkTraining.DEFAULT_ORDERS,
                  description = {"train in K shuffled orders and keep the average (default ${DEFAULT-VALUE}):",
                      "the model then depends less on the order; training takes about K times as long"}) int orders) {
        if ((spam == null || spam.isEmpty()) && (ham == null || ham.isEmpty())) {
            throw new UsageException("give at least one --spam or --ham folder");
        }
        if (passes < 1 || passes > 20) {
            throw new UsageException("--passes must be between 1 and 20, not " + passes);
        }
        if (orders < 1 || orders > 20) {
            throw new UsageException("--orders must be between 1 and 20, not " + orders);
        }
        List<BulkTraining.Example> examples = new ArrayList<>();
        MailParser parser = new MailParser();
        read(spam, true, parser, examples);
        read(ham, false, parser, examples);
        long start = System.nanoTime();
        try (UserDirectory dir = directory.get()) {
            String scope = TokenStore.GLOBAL;
            if (user != null) {
                scope = user.strip().toLowerCase(Locale.ROOT);
                if (!dir.users().exists(scope)) {
                    throw new UserAdminException("No such user: " + user);
                }
            }
            SpamFilter filter = new SpamFilter(new JdbcTokenStore(dir.database()));
            BulkTraining.Result result = new BulkTraining(filter, passes, BulkTraining.DEFAULT_SEED, orders)
                .train(scope, examples);
            out().printf(Locale.ROOT, "Trained %d spam and %d ham messages into %s in %.1f s (%d passes, %d"
                    + " reinforcing steps%s)%n", result.spam(), result.ham(),
                user == null ? "the global model" : "the model of " + scope, (System.nanoTime() - start) / 1e9,
                passes, result.reinforcements(), orders == 1 ? "" : " per order, averaged over " + orders
                    + " orders");
        }
        return 0;
    }

    private static void read(List<Path> paths, boolean isSpam, MailParser parser, List<BulkTraining.Example> into) {
        if (paths == null) {
            return;
        }
        for (Path path : paths) {
            List<MailFolderReader.RawMessage> messages;
            try {
                messages = MailFolderReader.read(path);
            } catch (IOException e) {
                throw new UsageException("cannot read " + (isSpam ? "--spam " : "--ham ") + path + ": "
                    + e.getMessage());
            }
            for (MailFolderReader.RawMessage message : messages) {
                var content = parser.parse(message.bytes());
                into.add(new BulkTraining.Example(SpamFilter.messageKey(content), content, isSpam));
            }
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
