package org.mailroom.dist.admin;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom admin export USER FOLDER PATH}: writes every message of a folder, in UID order, to a new mbox
 * file (mboxrd: body lines starting with any number of '>' then "From " get one more '>', so import gives them back
 * exactly). The file must not exist: an export never overwrites anything.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Exports a folder of a user to a new mbox file.",
        "While the server runs, the server's process writes PATH."})
final class ExportCommand implements Callable<Integer> {
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private final Supplier<MailStore> store;
    private final Path workingDirectory;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "USER", description = "for example alice@example.org")
    private String user;
    @Parameters(index = "1", paramLabel = "FOLDER", description = "for example INBOX")
    private String folder;
    @Parameters(index = "2", paramLabel = "PATH", description = "the mbox file to create")
    private Path path;

    ExportCommand(Supplier<MailStore> store, Path workingDirectory) {
        this.store = store;
        this.workingDirectory = workingDirectory;
    }

    @Override
    public Integer call() {
        Path target = workingDirectory.resolve(path).normalize();
        int count = 0;
        try (MailStore mail = store.get()) {
            MailboxSession session = MailFolders.session(mail, user);
            MessageManager source = MailFolders.folder(mail, session, folder, false);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                Iterator<MessageResult> messages = source.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
                while (messages.hasNext()) {
                    MessageResult message = messages.next();
                    String fromLine = "From MAILER-DAEMON "
                        + ASCTIME.format(message.getInternalDate().toInstant().atZone(ZoneOffset.UTC)) + "\n";
                    out.write(fromLine.getBytes(StandardCharsets.US_ASCII));
                    try (InputStream content = message.getFullContent().getInputStream()) {
                        writeEscaped(content.readAllBytes(), out);
                    }
                    count++;
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new UserAdminException(target + " exists already; export writes a new file only");
        } catch (IOException e) {
            throw new UserAdminException("cannot write " + target + ": " + e.getMessage());
        } catch (MailboxException e) {
            throw new UserAdminException("cannot read folder " + folder + " of " + user + ": " + e.getMessage());
        }
        spec.commandLine().getOut().println("Exported " + count + " messages from " + folder + " of " + user + " to "
            + target);
        return 0;
    }

    /** The message with mboxrd quoting, ending in an empty line that separates it from the next From line. */
    static void writeEscaped(byte[] message, OutputStream out) throws IOException {
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            if (lineStart && startsQuotedFrom(message, i)) {
                out.write('>');
            }
            out.write(message[i]);
            lineStart = message[i] == '\n';
        }
        if (message.length > 0 && message[message.length - 1] != '\n') {
            out.write('\n');
        }
        out.write('\n');
    }

    private static boolean startsQuotedFrom(byte[] message, int at) {
        int i = at;
        while (i < message.length && message[i] == '>') {
            i++;
        }
        byte[] from = "From ".getBytes(StandardCharsets.US_ASCII);
        if (i + from.length > message.length) {
            return false;
        }
        for (int k = 0; k < from.length; k++) {
            if (message[i + k] != from[k]) {
                return false;
            }
        }
        return true;
    }
}
