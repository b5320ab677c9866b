package org.mailroom.dist.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.SortTrace;
import org.mailroom.sorter.message.MailParser;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom admin explain}: why a message went where it did. For a stored message it prints the decision
 * recorded at delivery (its {@code X-Mailroom-Sort} header) and the full breakdown the sorter gives it now.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Prints every score behind the sorting of a message: a stored one (USER FOLDER UID) or a file.",
        "A stored message is re-sorted with the session facts (DNSBL, SPF) its trace header recorded at delivery;",
        "for a file they are not known, so those signals are silent."})
final class ExplainCommand implements Callable<Integer> {
    private final Supplier<SortingTools> tools;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @ArgGroup(exclusive = false)
        Stored stored;

        @Option(names = "--file", paramLabel = "FILE", description = "a message file (.eml)")
        Path file;
    }

    static final class Stored {
        @Parameters(index = "0", paramLabel = "USER") String user;
        @Parameters(index = "1", paramLabel = "FOLDER") String folder;
        @Parameters(index = "2", paramLabel = "UID") long uid;
    }

    @Option(names = "--user", paramLabel = "USER", defaultValue = "postmaster@localhost",
        description = "whose rules apply to --file (default: ${DEFAULT-VALUE})")
    String fileUser;

    ExplainCommand(Supplier<SortingTools> tools) {
        this.tools = tools;
    }

    @Override
    public Integer call() throws IOException {
        try (SortingTools sorting = tools.get()) {
            if (target.file != null) {
                spec.commandLine().getOut().print(SortTrace.breakdown(sorting.sort(fileUser,
                    Files.readAllBytes(target.file))));
                return 0;
            }
            String user = target.stored.user;
            SortingTools.StoredMessage stored;
            try {
                stored = sorting.storedMessage(user, target.stored.folder, target.stored.uid);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 1;
            }
            Optional<String> recorded = new MailParser().parse(stored.content()).header(SortTrace.HEADER);
            // The decision at delivery weighed what SMTP saw (DNSBL listing, SPF result); the trace header kept it.
            SessionFacts facts = recorded.map(SortTrace::sessionFacts).orElse(SessionFacts.none());
            spec.commandLine().getOut().println("at delivery: "
                + recorded.orElse("(none: delivered before the sorter, or not by SMTP)"));
            spec.commandLine().getOut().println("now (with the session facts recorded at delivery, at "
                + stored.receivedAt() + "):");
            spec.commandLine().getOut().print(SortTrace.breakdown(sorting.sort(user,
                SortTrace.withoutHeader(stored.content()), facts, stored.receivedAt())));
            return 0;
        }
    }
}
