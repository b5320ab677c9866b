package org.mailroom.imap.learning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.Registration;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.events.MailboxEvents.Expunged;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.mailbox.events.MessageMoveEvent;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageMoves;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.util.ReactorUtils;
import org.mailroom.imap.FolderNames;
import org.mailroom.sorter.learning.UserAction;
import org.mailroom.sorter.learning.UserAction.Kind;
import org.mailroom.sorter.learning.UserActionListener;
import org.mailroom.storage.mailbox.MailboxStore;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.concurrent.FastThreadLocalThread;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;

/**
 * Turns the store's James mailbox events into the {@link UserAction}s the sorter learns from, and hands each to a
 * {@link UserActionListener}.
 *
 * <p>What counts, and how it is recognised:
 * <ul>
 *   <li><b>MOVE</b> (IMAP MOVE / UID MOVE): James dispatches {@code Added} into the target, {@code Expunged} from the
 *   source and one {@link MessageMoveEvent} whose {@link MessageMoves} removes the source. Only the
 *   {@code MessageMoveEvent} is read, so a move fires {@code MOVED_INTO_*} / {@code MOVED_OUT_OF_*} once, never an
 *   extra copy or expunge. A move from Priority to Spam is both a move out of Priority and a move into Spam: it
 *   fires those two kinds, once each.</li>
 *   <li><b>COPY</b> (IMAP COPY / UID COPY): James 3.8.1 dispatches {@code Added} into the target plus a
 *   {@code MessageMoveEvent} whose target set keeps the source (nothing removed). That event, not the
 *   {@code Added}, is what makes {@code COPIED_INTO_SPAM} / {@code COPIED_INTO_PRIORITY}. This is reliable:
 *   the store emits {@code MessageMoveEvent} only for copy and move, never for an APPEND or an SMTP delivery,
 *   so no lookup of "does this message exist elsewhere" is needed and server deliveries are never mistaken for
 *   user actions ({@code Added} events are ignored altogether).</li>
 *   <li><b>COPY + STORE \Deleted + EXPUNGE</b> (clients without MOVE): the copy into Spam/Priority already fired
 *   {@code COPIED_INTO_*}; the later expunge of the original adds nothing. A copy <em>out of</em> Spam or
 *   Priority is remembered (in memory, bounded, for {@link #PENDING_COPY_LIFETIME}); when the original is then
 *   expunged from Spam/Priority, {@code MOVED_OUT_OF_*} fires once, with the copy's target as target folder. A
 *   copy out of Spam whose original is never expunged fires nothing (there is no "copied out" kind).</li>
 *   <li><b>Keywords</b>: a {@code FlagsUpdated} where {@code $Junk}, {@code $NotJunk}, {@code $Important}
 *   (compared without case) or {@code \Flagged} goes from unset to set fires {@code MARKED_*}/{@code FLAGGED}, and
 *   from set to unset {@code UNMARKED_*}/{@code UNFLAGGED}, per message. Flags given at APPEND or delivery are
 *   not changes and fire nothing. Moves to Trash are reported like any other move (the target folder tells the
 *   sorter it was a deletion).</li>
 * </ul>
 *
 * <p>Only mailboxes in the acting user's own private namespace are recognised as their Spam or Priority folders.
 * The listener runs {@link EventListener.ExecutionMode#SYNCHRONOUS synchronously}, inside the IMAP command, so it
 * sees actions in order and before the client's OK; anything it throws is caught and logged here so that the
 * command, and the event bus's retries, are never affected. Because it runs on the command's path it reads nothing
 * of the message itself: an action carries the store's message id, and the learner reads the message (once, on its
 * own thread) only for the actions that teach something. A keyword STORE costs the command the flag comparison and
 * the hand-over, nothing more; a move or copy also the names of the mailboxes involved. It runs on the thread that
 * dispatches the event ({@link #reactiveEvent}): no hand-off of its own.
 */
public final class UserActionPublisher implements EventListener.ReactiveGroupEventListener {
    private static final Logger LOG = LoggerFactory.getLogger(UserActionPublisher.class);

    /** How long a copy out of Spam/Priority waits for the original's expunge to make it a move. */
    public static final Duration PENDING_COPY_LIFETIME = Duration.ofHours(24);
    static final int MAX_PENDING_COPIES = 10_000;

    static final String JUNK = "$Junk";
    static final String NOT_JUNK = "$NotJunk";
    static final String IMPORTANT = "$Important";

    /** The event-bus group of this listener (one per bus). */
    public static final class UserActionPublisherGroup extends Group {
    }

    private static final Group GROUP = new UserActionPublisherGroup();

    private final MailboxManager mailboxManager;
    private final FolderNames folders;
    private final UserActionListener listener;
    private final Clock clock;
    private final Map<PendingKey, PendingCopy> pendingCopies = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PendingKey, PendingCopy> eldest) {
            return size() > MAX_PENDING_COPIES;
        }
    };

    public UserActionPublisher(MailboxManager mailboxManager, FolderNames folders, UserActionListener listener,
                               Clock clock) {
        this.mailboxManager = Objects.requireNonNull(mailboxManager, "mailboxManager");
        this.folders = Objects.requireNonNull(folders, "folders");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Builds a publisher over the store and registers it on the store's event bus. */
    public static Registration register(MailboxStore store, FolderNames folders, UserActionListener listener) {
        return register(store.eventBus(), new UserActionPublisher(store.mailboxManager(), folders, listener,
            Clock.systemUTC()));
    }

    static Registration register(EventBus eventBus, UserActionPublisher publisher) {
        return eventBus.register(publisher);
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return ExecutionMode.SYNCHRONOUS;
    }

    @Override
    public boolean isHandling(Event event) {
        return event instanceof MessageMoveEvent || event instanceof FlagsUpdated || event instanceof Expunged;
    }

    /**
     * Publishes on the dispatching thread when that thread may block: the command's transaction thread
     * ({@code boundedElastic}, where the store dispatches a STORE's, EXPUNGE's, MOVE's or COPY's event) or a caller of
     * the blocking API. James registers a plain {@code GroupEventListener} through a wrapper that moved every event to
     * its {@code blocking-call-wrapper} pool and waited (this listener is synchronous), and the command then went on
     * on that thread: a thread hand-off per change, for work that queues an action or compares flags. A move or copy
     * reads mailbox rows, so on a thread that must not block (Reactor's non-blocking pools, a Netty event loop) the
     * event is still handed off as before.
     */
    @Override
    public Publisher<Void> reactiveEvent(Event event) {
        Mono<Void> publishing = Mono.fromRunnable(() -> event(event));
        return Mono.defer(() -> mayBlock(Thread.currentThread())
            ? publishing
            : publishing.subscribeOn(ReactorUtils.BLOCKING_CALL_WRAPPER));
    }

    /** Whether {@code thread} may wait: neither one of Reactor's non-blocking threads nor a Netty event loop's. */
    private static boolean mayBlock(Thread thread) {
        return !(thread instanceof NonBlocking) && !(thread instanceof FastThreadLocalThread);
    }

    @Override
    public void event(Event event) {
        try {
            if (event instanceof MessageMoveEvent move) {
                onMove(move);
            } else if (event instanceof FlagsUpdated flags) {
                onFlags(flags);
            } else if (event instanceof Expunged expunged) {
                onExpunged(expunged);
            }
        } catch (Exception e) {
            LOG.warn("Could not turn {} of {} into user actions for the sorter", event.getClass().getSimpleName(),
                event.getUsername().asString(), e);
        }
    }

    private void onMove(MessageMoveEvent move) throws Exception {
        MessageMoves moves = move.getMessageMoves();
        Set<MailboxId> added = moves.addedMailboxIds();
        if (added.isEmpty() && moves.removedMailboxIds().isEmpty()) {
            return;
        }
        Username user = move.getUsername();
        MailboxSession session = mailboxManager.createSystemSession(user);
        try {
            Map<MailboxId, Optional<String>> names = new HashMap<>();
            for (MailboxId id : moves.getPreviousMailboxIds()) {
                names.put(id, ownFolderName(id, user, session));
            }
            for (MailboxId id : moves.getTargetMailboxIds()) {
                names.computeIfAbsent(id, i -> ownFolderName(i, user, session));
            }
            Set<MailboxId> removed = moves.removedMailboxIds();
            boolean copy = removed.isEmpty();
            Optional<String> source = firstName(copy ? moves.getPreviousMailboxIds() : removed, names);
            Optional<String> target = firstName(added, names);
            List<Kind> kinds = new ArrayList<>();
            if (copy) {
                addIfAny(kinds, added, names, folders.spam(), Kind.COPIED_INTO_SPAM);
                addIfAny(kinds, added, names, folders.priority(), Kind.COPIED_INTO_PRIORITY);
            } else {
                addIfAny(kinds, removed, names, folders.priority(), Kind.MOVED_OUT_OF_PRIORITY);
                addIfAny(kinds, removed, names, folders.spam(), Kind.MOVED_OUT_OF_SPAM);
                addIfAny(kinds, added, names, folders.spam(), Kind.MOVED_INTO_SPAM);
                addIfAny(kinds, added, names, folders.priority(), Kind.MOVED_INTO_PRIORITY);
            }
            if (copy && target.isPresent()) {
                rememberCopiesOutOfSpecialFolders(user, moves.getPreviousMailboxIds(), names, move.getMessageIds(),
                    target.get());
            }
            if (kinds.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            for (MessageId messageId : move.getMessageIds()) {
                for (Kind kind : kinds) {
                    publish(new UserAction(user.asString(), messageId.serialize(), kind, source, target, now));
                }
            }
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    private void rememberCopiesOutOfSpecialFolders(Username user, Collection<MailboxId> sources,
                                                   Map<MailboxId, Optional<String>> names,
                                                   Collection<MessageId> messageIds, String target) {
        Instant expires = clock.instant().plus(PENDING_COPY_LIFETIME);
        for (MailboxId source : sources) {
            Optional<String> name = names.get(source);
            if (name.isPresent() && isSpecial(name.get()) && !name.get().equals(target)) {
                synchronized (pendingCopies) {
                    for (MessageId messageId : messageIds) {
                        pendingCopies.put(new PendingKey(user, source, messageId), new PendingCopy(target, expires));
                    }
                }
            }
        }
    }

    private void onExpunged(Expunged expunged) {
        MailboxPath path = expunged.getMailboxPath();
        Username user = expunged.getUsername();
        if (!isOwnFolder(path, user) || !isSpecial(path.getName())) {
            return;
        }
        Kind kind = path.getName().equals(folders.spam()) ? Kind.MOVED_OUT_OF_SPAM : Kind.MOVED_OUT_OF_PRIORITY;
        Instant now = clock.instant();
        List<UserAction> actions = new ArrayList<>();
        synchronized (pendingCopies) {
            pendingCopies.values().removeIf(pending -> pending.expires().isBefore(now));
            if (pendingCopies.isEmpty()) {
                return;
            }
            for (MessageMetaData metaData : expunged.getExpunged().values()) {
                PendingCopy pending = pendingCopies.remove(
                    new PendingKey(user, expunged.getMailboxId(), metaData.getMessageId()));
                if (pending != null) {
                    actions.add(new UserAction(user.asString(), metaData.getMessageId().serialize(), kind,
                        Optional.of(path.getName()), Optional.of(pending.target()), now));
                }
            }
        }
        actions.forEach(this::publish);
    }

    private void onFlags(FlagsUpdated event) {
        Username user = event.getUsername();
        Optional<String> folder = Optional.of(event.getMailboxPath().getName());
        Instant now = clock.instant();
        for (UpdatedFlags updated : event.getUpdatedFlags()) {
            List<Kind> kinds = kinds(updated);
            if (kinds.isEmpty() || updated.getMessageId().isEmpty()) {
                continue;
            }
            String messageId = updated.getMessageId().get().serialize();
            for (Kind kind : kinds) {
                publish(new UserAction(user.asString(), messageId, kind, Optional.empty(), folder, now));
            }
        }
    }

    static List<Kind> kinds(UpdatedFlags updated) {
        List<Kind> kinds = new ArrayList<>(2);
        Flags before = updated.getOldFlags();
        Flags after = updated.getNewFlags();
        keyword(kinds, before, after, JUNK, Kind.MARKED_JUNK, Kind.UNMARKED_JUNK);
        keyword(kinds, before, after, NOT_JUNK, Kind.MARKED_NOT_JUNK, Kind.UNMARKED_NOT_JUNK);
        keyword(kinds, before, after, IMPORTANT, Kind.MARKED_IMPORTANT, Kind.UNMARKED_IMPORTANT);
        if (updated.isModifiedToSet(Flags.Flag.FLAGGED)) {
            kinds.add(Kind.FLAGGED);
        } else if (updated.isModifiedToUnset(Flags.Flag.FLAGGED)) {
            kinds.add(Kind.UNFLAGGED);
        }
        return kinds;
    }

    private static void keyword(List<Kind> kinds, Flags before, Flags after, String keyword, Kind set, Kind unset) {
        boolean had = hasKeyword(before, keyword);
        boolean has = hasKeyword(after, keyword);
        if (!had && has) {
            kinds.add(set);
        } else if (had && !has) {
            kinds.add(unset);
        }
    }

    private static boolean hasKeyword(Flags flags, String keyword) {
        for (String userFlag : flags.getUserFlags()) {
            if (userFlag.equalsIgnoreCase(keyword)) {
                return true;
            }
        }
        return false;
    }

    private void publish(UserAction action) {
        try {
            listener.onUserAction(action);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.warn("User action listener failed on {} of {} for {}; the IMAP command is not affected",
                action.kind(), action.messageId(), action.user(), e);
        }
    }

    private Optional<String> ownFolderName(MailboxId id, Username user, MailboxSession session) {
        try {
            MailboxPath path = mailboxManager.getMailbox(id, session).getMailboxPath();
            return isOwnFolder(path, user) ? Optional.of(path.getName()) : Optional.empty();
        } catch (Exception e) {
            LOG.debug("Mailbox {} of {} not found", id.serialize(), user.asString(), e);
            return Optional.empty();
        }
    }

    private static boolean isOwnFolder(MailboxPath path, Username user) {
        return path.getUser() != null && path.getUser().equals(user) && MailboxConstants.USER_NAMESPACE.equals(path.getNamespace());
    }

    private boolean isSpecial(String name) {
        return name.equals(folders.spam()) || name.equals(folders.priority());
    }

    private static void addIfAny(List<Kind> kinds, Set<MailboxId> ids, Map<MailboxId, Optional<String>> names,
                                 String folder, Kind kind) {
        for (MailboxId id : ids) {
            if (names.getOrDefault(id, Optional.empty()).filter(folder::equals).isPresent()) {
                kinds.add(kind);
                return;
            }
        }
    }

    private static Optional<String> firstName(Collection<MailboxId> ids, Map<MailboxId, Optional<String>> names) {
        return ids.stream().map(id -> names.getOrDefault(id, Optional.empty()))
            .flatMap(Optional::stream).findFirst();
    }

    private record PendingKey(Username user, MailboxId source, MessageId messageId) {
    }

    private record PendingCopy(String target, Instant expires) {
    }
}
