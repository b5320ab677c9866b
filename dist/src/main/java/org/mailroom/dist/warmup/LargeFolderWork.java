package org.mailroom.dist.warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;

import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;
import jakarta.mail.search.HeaderTerm;

/**
 * A folder of thousands of messages, once per warm-up: a user gathers the other folders' mail into one archive folder
 * (IMAP COPY, folder after folder, until it holds {@link #MESSAGES}), then a synchronising client opens it, takes every
 * message's flags, UID and size, refreshes its saved searches there and downloads messages spread over it whole.
 *
 * <p>Why thousands: the rounds' folders hold at most a few hundred messages, so the loops that run once per message of
 * a folder within one command (the FETCH lines' row loop and the session's UID walk, Derby's index scan and row fetch
 * under a header search, Netty's outbound buffer once an answer outruns the socket) had run only a few hundred
 * iterations per command, and a real server's first commands on a large folder compiled them, at C2 and by on-stack
 * replacement, while they and the commands after them ran (bench/README.md, IMAP chapter, "h-cold", nineteenth
 * session). Copies rather than uploads: a copy adds membership rows to messages stored once, so the folder costs a
 * few seconds of start-up where as many APPENDs would cost tens (measured).
 */
final class LargeFolderWork {
    /** Messages in the folder: enough that its per-message loops reach C2's thresholds within a few commands. */
    static final int MESSAGES = 2_000;
    private static final String FOLDER = "Archive 2019";
    private static final List<String> GATHERED = List.of("INBOX", "Archive", "Priority", "Sent", "Drafts");
    private static final int RESYNCS = 3;
    private static final int DOWNLOADS = 40;
    private static final HeaderTerm[] SAVED_SEARCHES = {new HeaderTerm("List-Id", "news"),
        new HeaderTerm("Subject", "report")};

    private LargeFolderWork() {
    }

    /** Fills the folder over {@code desktop}, then works with it over {@code synchronising}; its message count. */
    static int run(IMAPStore desktop, IMAPStore synchronising) throws MessagingException, IOException {
        int held = gather(desktop);
        for (int i = 0; i < RESYNCS; i++) {
            try (IMAPFolder folder = (IMAPFolder) synchronising.getFolder(FOLDER)) {
                folder.open(Folder.READ_WRITE);
                Message[] all = folder.getMessages();
                FetchProfile profile = new FetchProfile();
                profile.add(FetchProfile.Item.FLAGS);
                profile.add(UIDFolder.FetchProfileItem.UID);
                profile.add(FetchProfile.Item.SIZE);
                folder.fetch(all, profile);
                for (HeaderTerm saved : SAVED_SEARCHES) {
                    folder.search(saved);
                }
                if (i == 0) {
                    downloadSpread(all);
                }
            }
        }
        return held;
    }

    /** Copies the other folders' messages into {@link #FOLDER}, round after round, until it holds enough. */
    private static int gather(IMAPStore store) throws MessagingException {
        Folder target = store.getFolder(FOLDER);
        if (!target.exists()) {
            target.create(Folder.HOLDS_MESSAGES);
        }
        int held = 0;
        while (held < MESSAGES) {
            int before = held;
            for (String name : GATHERED) {
                IMAPFolder source = (IMAPFolder) store.getFolder(name);
                if (held >= MESSAGES || !source.exists()) {
                    continue;
                }
                source.open(Folder.READ_ONLY);
                try {
                    int count = source.getMessageCount();
                    if (count > 0) {
                        source.copyMessages(source.getMessages(1, count), target);
                        held += count;
                    }
                } finally {
                    source.close(false);
                }
            }
            if (held == before) {
                throw new MessagingException("warm-up: no messages to gather into " + FOLDER);
            }
        }
        return held;
    }

    /** Messages spread over the folder, each whole ({@code BODY.PEEK[]}) and checked against its reported size. */
    private static void downloadSpread(Message[] all) throws MessagingException, IOException {
        int step = Math.max(1, all.length / DOWNLOADS);
        for (int i = 0; i < all.length; i += step) {
            IMAPMessage message = (IMAPMessage) all[i];
            long read;
            try (InputStream whole = message.getMimeStream()) {
                read = whole.transferTo(OutputStream.nullOutputStream());
            }
            if (read != message.getSize()) {
                throw new MessagingException("warm-up: message " + message.getMessageNumber() + " of " + FOLDER
                    + " downloaded with " + read + " of its " + message.getSize() + " bytes");
            }
        }
    }
}
