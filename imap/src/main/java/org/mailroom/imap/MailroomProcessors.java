package org.mailroom.imap;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.MailboxType;
import org.apache.james.imap.api.process.MailboxTyper;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.message.request.AuthenticateRequest;
import org.apache.james.imap.message.request.CloseRequest;
import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.message.request.ExpungeRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.ListRequest;
import org.apache.james.imap.message.request.LoginRequest;
import org.apache.james.imap.message.request.SearchRequest;
import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.imap.processor.*;
import org.apache.james.imap.processor.base.AbstractProcessor;
import org.apache.james.imap.processor.base.ImapResponseMessageProcessor;
import org.apache.james.imap.processor.base.UnknownRequestProcessor;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.response.ImmutableStatusResponse;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.util.MDCBuilder;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James's IMAP processor chain ({@code DefaultProcessor.createDefaultProcessor} of 3.8.1), assembled by Mailroom
 * with these differences:
 * <ul>
 *   <li>CONDSTORE is offered: 3.8.1's {@code IMAPServer} never sets {@code ImapConfiguration.isCondstoreEnable},
 *       so {@code CapabilityProcessor} always hides it (and ENABLE CONDSTORE is refused); the configuration handed
 *       to the processors is rebuilt with it on. James's own folder provisioning is turned off.</li>
 *   <li>LOGIN/AUTHENTICATE create Mailroom's default folders ({@link DefaultFolders}) and go through the
 *       {@link LoginThrottle}.</li>
 *   <li>LIST returns RFC 6154 special-use attributes on every LIST (James only did with {@code RETURN
 *       (SPECIAL-USE)}, and its {@code (SPECIAL-USE)} selection filtered everything out unless the return option
 *       was also given), typed by {@link MailroomMailboxTyper}.</li>
 *   <li>XLIST (a pre-RFC 6154 Gmail extension) is not offered.</li>
 *   <li>COMPRESS=DEFLATE inflates with the JDK's zlib, not JZlib, which stalled mbsync
 *       ({@link DeflateCompressProcessor}).</li>
 *   <li>A FETCH of a body section in a mailbox opened by EXAMINE does not set {@code \Seen} (RFC 3501 6.3.2: a
 *       read-only session must not change flags); James stored it. STORE, EXPUNGE, MOVE and REPLACE there are
 *       refused ({@code NO}) and CLOSE expunges nothing ({@link ReadOnlySelection}); James did all of them.</li>
 *   <li>A QRESYNC SELECT/EXAMINE sends the FETCH of messages whose flags changed since the client's MODSEQ
 *       ({@link QresyncFlagChanges}); James sent only VANISHED.</li>
 *   <li>A session whose selected mailbox another session deleted gets {@code * BYE} and is closed at its next
 *       command (James's Netty handler dropped the check its older stream handler had).</li>
 *   <li>A BYE is flushed before James closes the connection (unknown command before login, third failed login).</li>
 *   <li>A failed conditional STORE answers {@code [MODIFIED 2]}, not 3.8.1's {@code [MODIFIED 0 2]}
 *       ({@link MailroomStatusResponseFactory}).</li>
 *   <li>STORE and SEARCH (as FETCH) give their command a log context of the action only
 *       ({@link CommandLogContext}).</li>
 *   <li>EXPUNGE and CLOSE run on Reactor's {@code boundedElastic}, not on the connection's event loop, where
 *       James's processors started the store's delete ({@link OffLoopExpungeProcessor}).</li>
 * </ul>
 */
final class MailroomProcessors {

    /** Session attribute: the client's IP address, set by {@link ConnectionGuard}. */
    static final String REMOTE_IP = "mailroom.remoteIp";
    /** Session attribute: a BYE to send, and then close, right after the next response made while decoding. */
    static final String BYE_AFTER_RESPONSE = "mailroom.byeAfterResponse";
    private static final String ATTEMPTED_USER = "mailroom.attemptedUser";

    private static final HumanReadableText SELECTED_MAILBOX_DELETED = new HumanReadableText(
        "org.mailroom.imap.SELECTED_MAILBOX_DELETED", "Selected mailbox has been deleted");

    private MailroomProcessors() {
    }

    /**
     * Writes a {@code * BYE} and logs the session out. The flush comes first: James's channel handler closes a
     * logged-out session's connection before it flushes what the command wrote, so an unflushed BYE was lost.
     */
    static Mono<Void> byeAndLogout(StatusResponse bye, ImapProcessor.Responder responder, ImapSession session) {
        responder.respond(bye);
        responder.flush();
        return session.getState() == ImapSessionState.LOGOUT ? Mono.empty() : session.logout();
    }

    /**
     * James's processor for responses made while decoding (a BAD, a BYE for an unknown command before login, the
     * answers of {@link MailroomRequestFrameDecoder}), except that a BYE is flushed and ends the session.
     */
    private static final class ClosingResponseMessageProcessor extends ImapResponseMessageProcessor {
        @Override
        protected Mono<Void> doProcess(ImmutableStatusResponse response, Responder responder, ImapSession session) {
            if (response.getServerResponseType() == StatusResponse.Type.BYE) {
                return byeAndLogout(response, responder, session);
            }
            Object bye = session.getAttribute(BYE_AFTER_RESPONSE);
            if (bye instanceof StatusResponse byeResponse) {
                session.setAttribute(BYE_AFTER_RESPONSE, null);
                responder.respond(response);
                return byeAndLogout(byeResponse, responder, session);
            }
            return super.doProcess(response, responder, session);
        }
    }

    static ImapProcessor create(MailboxManager mailboxManager, EventBus eventBus, SubscriptionManager subscriptionManager,
                                QuotaManager quotaManager, QuotaRootResolver quotaRootResolver, MetricFactory metricFactory,
                                DefaultFolders folders, LoginThrottle throttle, ImapObserver observer) {
        StatusResponseFactory statusResponseFactory = new MailroomStatusResponseFactory();
        UnknownRequestProcessor chainEnd = new UnknownRequestProcessor(statusResponseFactory);
        MailboxTyper typer = new MailroomMailboxTyper(folders.names());
        AuthHooks hooks = new AuthHooks(folders, throttle, observer);
        EventBus selectionBus = new SelectionEventBus(eventBus);

        ImmutableList.Builder<AbstractProcessor> builder = ImmutableList.builder();
        CapabilityProcessor capabilityProcessor = new CapabilityProcessor(mailboxManager, statusResponseFactory, metricFactory);
        builder.add(new SystemMessageProcessor(mailboxManager));
        builder.add(new LogoutProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(capabilityProcessor);
        builder.add(new IdProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new CheckProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ThrottledLoginProcessor(mailboxManager, statusResponseFactory, metricFactory, hooks));
        builder.add(new RenameProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new DeleteProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new CreateProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new OffLoopCloseProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new UnsubscribeProcessor(mailboxManager, subscriptionManager, statusResponseFactory, metricFactory));
        builder.add(new SubscribeProcessor(mailboxManager, subscriptionManager, statusResponseFactory, metricFactory));
        builder.add(new CopyProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ThrottledAuthenticateProcessor(mailboxManager, statusResponseFactory, metricFactory, hooks));
        builder.add(new OffLoopExpungeProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ReplaceProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ReadOnlyExamineProcessor(mailboxManager, selectionBus, statusResponseFactory, metricFactory));
        builder.add(new AppendProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ActionContextStoreProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new NoopProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new IdleProcessor(mailboxManager, statusResponseFactory, metricFactory));
        StatusProcessor statusProcessor = new StatusProcessor(mailboxManager, statusResponseFactory, metricFactory);
        builder.add(statusProcessor);
        builder.add(new LSubProcessor(mailboxManager, subscriptionManager, statusResponseFactory, metricFactory));
        builder.add(new SpecialUseListProcessor(mailboxManager, statusResponseFactory, metricFactory, subscriptionManager,
            statusProcessor, typer));
        builder.add(new ActionContextSearchProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ReadWriteSelectProcessor(mailboxManager, selectionBus, statusResponseFactory, metricFactory));
        builder.add(new NamespaceProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new MailroomFetchProcessor(mailboxManager, statusResponseFactory, metricFactory, ReadOnlySelection.ATTRIBUTE));
        builder.add(new StartTLSProcessor(statusResponseFactory));
        builder.add(new UnselectProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new DeflateCompressProcessor(statusResponseFactory));
        builder.add(new GetACLProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new SetACLProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new DeleteACLProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new ListRightsProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new MyRightsProcessor(mailboxManager, statusResponseFactory, metricFactory));
        EnableProcessor enableProcessor = new EnableProcessor(mailboxManager, statusResponseFactory, metricFactory, capabilityProcessor);
        builder.add(enableProcessor);
        builder.add(new GetQuotaProcessor(mailboxManager, statusResponseFactory, quotaManager, quotaRootResolver, metricFactory));
        builder.add(new SetQuotaProcessor(mailboxManager, statusResponseFactory, metricFactory));
        builder.add(new GetQuotaRootProcessor(mailboxManager, statusResponseFactory, quotaRootResolver, quotaManager, metricFactory));
        builder.add(new ClosingResponseMessageProcessor());
        if (mailboxManager.hasCapability(MailboxManager.MailboxCapabilities.Move)) {
            builder.add(new MoveProcessor(mailboxManager, statusResponseFactory, metricFactory));
        }
        if (mailboxManager.hasCapability(MailboxManager.MailboxCapabilities.Annotation)) {
            builder.add(new SetMetadataProcessor(mailboxManager, statusResponseFactory, metricFactory));
            builder.add(new GetMetadataProcessor(mailboxManager, statusResponseFactory, metricFactory));
        }
        ImmutableList<AbstractProcessor> processors = builder.build();
        processors.stream()
            .filter(CapabilityImplementingProcessor.class::isInstance)
            .map(CapabilityImplementingProcessor.class::cast)
            .forEach(capabilityProcessor::addProcessor);
        processors.stream()
            .filter(PermitEnableCapabilityProcessor.class::isInstance)
            .map(PermitEnableCapabilityProcessor.class::cast)
            .forEach(enableProcessor::addProcessor);

        @SuppressWarnings("rawtypes")
        Map<Class, ImapProcessor> byRequest = new java.util.HashMap<>();
        for (AbstractProcessor<?> processor : processors) {
            for (Class<?> type : processor.acceptableClasses()) {
                byRequest.put(type, processor);
            }
        }
        return new DefaultProcessor(byRequest, chainEnd) {
            @Override
            public void configure(ImapConfiguration configuration) {
                super.configure(mailroomConfiguration(configuration));
            }

            @Override
            public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
                return CommandCompletion.signalled(Mono.defer(() -> {
                    SelectedMailbox selected = session.getSelected();
                    if (selected != null && selected.isDeletedByOtherSession()) {
                        // RFC 3501 7.1.5: the session's mailbox is gone, nothing it could do next makes sense
                        return byeAndLogout(statusResponseFactory.bye(SELECTED_MAILBOX_DELETED), responder, session);
                    }
                    if (ReadOnlySelection.forbids(message, session)) {
                        ImapRequest request = (ImapRequest) message;
                        responder.respond(statusResponseFactory.taggedNo(request.getTag(), request.getCommand(),
                            HumanReadableText.MAILBOX_IS_READ_ONLY));
                        return Mono.empty();
                    }
                    return super.processReactive(message, responder, session);
                }), session);
            }
        };
    }

    /** James's configuration with CONDSTORE on and James's folder provisioning off. */
    static ImapConfiguration mailroomConfiguration(ImapConfiguration james) {
        ImapConfiguration.Builder builder = ImapConfiguration.builder()
            .enableIdle(james.isEnableIdle())
            .idleTimeInterval(james.getIdleTimeInterval())
            .idleTimeIntervalUnit(james.getIdleTimeIntervalUnit())
            .disabledCaps(james.getDisabledCaps().stream().map(Capability::asString)
                .collect(com.google.common.collect.ImmutableSet.toImmutableSet()))
            .maxQueueSize(james.getMaxQueueSize())
            .concurrentRequests(james.getConcurrentRequests())
            .isCondstoreEnable(true)
            .isProvisionDefaultMailboxes(false)
            .withCustomProperties(james.getCustomProperties());
        james.getAppendLimit().ifPresent(builder::appendLimit);
        return builder.build();
    }

    /** Default folders at login, and the throttle's bookkeeping, shared by LOGIN and AUTHENTICATE. */
    private record AuthHooks(DefaultFolders folders, LoginThrottle throttle, ImapObserver observer) {

        Mono<Void> throttled(ImapSession session, String user, Mono<Void> attempt) {
            Duration delay = throttle.delayFor(ip(session), user);
            return delay.isZero() ? attempt : Mono.delay(delay).then(attempt);
        }

        void attempting(ImapSession session, String user) {
            session.setAttribute(ATTEMPTED_USER, user);
        }

        void succeeded(ImapSession session, MailboxManager mailboxManager, MailboxSession mailboxSession)
                throws MailboxException {
            throttle.succeeded(ip(session), mailboxSession.getUser().asString());
            folders.ensure(mailboxManager, mailboxSession);
        }

        void failed(ImapSession session) {
            observer.loginFailed();
            throttle.failed(ip(session), (String) session.getAttribute(ATTEMPTED_USER));
        }

        private static String ip(ImapSession session) {
            Object ip = session.getAttribute(REMOTE_IP);
            return ip == null ? "unknown" : ip.toString();
        }
    }

    private static final class ThrottledLoginProcessor extends LoginProcessor {
        private final AuthHooks hooks;

        ThrottledLoginProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics,
                                AuthHooks hooks) {
            super(mailboxManager, factory, metrics);
            this.hooks = hooks;
        }

        @Override
        protected Mono<Void> processRequestReactive(LoginRequest request, ImapSession session, Responder responder) {
            String user = request.getUserid() == null ? null : request.getUserid().asString();
            return hooks.throttled(session, user, Mono.defer(() -> super.processRequestReactive(request, session, responder)));
        }

        @Override
        protected void doAuth(AuthenticationAttempt attempt, ImapSession session, ImapRequest request, Responder responder,
                              HumanReadableText failed) {
            hooks.attempting(session, attempt.getAuthenticationId() == null ? null : attempt.getAuthenticationId().asString());
            super.doAuth(attempt, session, request, responder, failed);
        }

        @Override
        protected void provisionInbox(ImapSession session, MailboxManager mailboxManager, MailboxSession mailboxSession)
                throws MailboxException {
            hooks.succeeded(session, mailboxManager, mailboxSession);
        }

        @Override
        protected void manageFailureCount(ImapSession session, ImapRequest request, Responder responder,
                                          HumanReadableText failed) {
            hooks.failed(session);
            super.manageFailureCount(session, request, responder, failed);
            // the third failure wrote BYE and logged out: flush it before James closes the connection
            responder.flush();
        }
    }

    private static final class ThrottledAuthenticateProcessor extends AuthenticateProcessor {
        private final AuthHooks hooks;

        ThrottledAuthenticateProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics,
                                       AuthHooks hooks) {
            super(mailboxManager, factory, metrics);
            this.hooks = hooks;
        }

        @Override
        protected Mono<Void> processRequestReactive(AuthenticateRequest request, ImapSession session, Responder responder) {
            // The user name travels inside the SASL response: only the address's count can be applied up front; a
            // failure still counts against the user, which throttles that user's LOGINs.
            return hooks.throttled(session, null, Mono.defer(() -> super.processRequestReactive(request, session, responder)));
        }

        @Override
        protected void doAuth(AuthenticationAttempt attempt, ImapSession session, ImapRequest request, Responder responder,
                              HumanReadableText failed) {
            hooks.attempting(session, attempt.getAuthenticationId() == null ? null : attempt.getAuthenticationId().asString());
            super.doAuth(attempt, session, request, responder, failed);
        }

        @Override
        protected void provisionInbox(ImapSession session, MailboxManager mailboxManager, MailboxSession mailboxSession)
                throws MailboxException {
            hooks.succeeded(session, mailboxManager, mailboxSession);
        }

        @Override
        protected void manageFailureCount(ImapSession session, ImapRequest request, Responder responder,
                                          HumanReadableText failed) {
            hooks.failed(session);
            super.manageFailureCount(session, request, responder, failed);
            // the third failure wrote BYE and logged out: flush it before James closes the connection
            responder.flush();
        }
    }

    private static final class SpecialUseListProcessor extends ListProcessor<ListRequest> {
        SpecialUseListProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics,
                                SubscriptionManager subscriptions, StatusProcessor status, MailboxTyper typer) {
            super(mailboxManager, factory, metrics, subscriptions, status, typer);
        }

        @Override
        protected MailboxType getMailboxType(ListRequest request, ImapSession session, MailboxPath path) {
            return mailboxTyper.getMailboxType(session, path);
        }
    }

    /** STORE with its action as log context ({@link CommandLogContext}): James formatted the id set per command. */
    private static final class ActionContextStoreProcessor extends StoreProcessor {
        ActionContextStoreProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics) {
            super(mailboxManager, factory, metrics);
        }

        @Override
        protected MDCBuilder mdc(StoreRequest request) {
            return CommandLogContext.action("STORE");
        }
    }

    /** SEARCH with its action as log context ({@link CommandLogContext}): James wrote out the whole search tree. */
    private static final class ActionContextSearchProcessor extends SearchProcessor {
        ActionContextSearchProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics) {
            super(mailboxManager, factory, metrics);
        }

        @Override
        protected MDCBuilder mdc(SearchRequest request) {
            return CommandLogContext.action("SEARCH");
        }
    }

    /** A command's processing subscribed on Reactor's {@code boundedElastic} instead of the thread that decoded it. */
    private static Mono<Void> offTheLoop(Supplier<Mono<Void>> processing) {
        return Mono.defer(processing).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * EXPUNGE (and UID EXPUNGE) on Reactor's {@code boundedElastic}, not on the connection's event loop. James's
     * processor subscribes to the store's expunge on the thread that decoded the command, and the store hands its
     * transaction off only from Reactor's non-blocking threads, which a Netty loop is not: the delete (a wait for the
     * mailbox row's lock, held by any APPEND, STORE or delivery to that mailbox until its commit, then its own commit's
     * log write) ran on the loop, and every connection of that loop waited with it. Then the {@code Expunged} event,
     * dispatched on the loop, was handed to {@code blocking-call-wrapper} by the sorter's listener, which must not block
     * a loop; on {@code boundedElastic} it runs in place, so the command still takes one thread hand-off.
     */
    private static final class OffLoopExpungeProcessor extends ExpungeProcessor {
        OffLoopExpungeProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics) {
            super(mailboxManager, factory, metrics);
        }

        @Override
        protected Mono<Void> processRequestReactive(ExpungeRequest request, ImapSession session, Responder responder) {
            return offTheLoop(() -> super.processRequestReactive(request, session, responder));
        }
    }

    /**
     * CLOSE expunges the mailbox it leaves: off the event loop for the same reason as {@link OffLoopExpungeProcessor}.
     * A mailbox opened with EXAMINE is left as it is ({@link ReadOnlySelection}; James expunged it).
     */
    private static final class OffLoopCloseProcessor extends CloseProcessor {
        OffLoopCloseProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics) {
            super(mailboxManager, factory, metrics);
        }

        @Override
        protected Mono<Void> processRequestReactive(CloseRequest request, ImapSession session, Responder responder) {
            if (ReadOnlySelection.isReadOnly(session)) {
                // RFC 3501 6.4.2: no message is removed, and no error is given, from a mailbox opened with EXAMINE
                return session.deselect().then(Mono.fromRunnable(() -> okComplete(request, responder)));
            }
            return offTheLoop(() -> super.processRequestReactive(request, session, responder));
        }
    }

    private static final class ReadOnlyExamineProcessor extends ExamineProcessor {
        ReadOnlyExamineProcessor(MailboxManager mailboxManager, EventBus eventBus, StatusResponseFactory factory,
                                 MetricFactory metrics) {
            super(mailboxManager, eventBus, factory, metrics);
        }

        @Override
        protected Mono<Void> processRequestReactive(ExamineRequest request, ImapSession session, Responder responder) {
            session.setAttribute(ReadOnlySelection.ATTRIBUTE, Boolean.TRUE);
            return super.processRequestReactive(request, session,
                QresyncFlagChanges.around(request, session, getMailboxManager(), responder));
        }
    }

    private static final class ReadWriteSelectProcessor extends SelectProcessor {
        ReadWriteSelectProcessor(MailboxManager mailboxManager, EventBus eventBus, StatusResponseFactory factory,
                                 MetricFactory metrics) {
            super(mailboxManager, eventBus, factory, metrics);
        }

        @Override
        protected Mono<Void> processRequestReactive(SelectRequest request, ImapSession session, Responder responder) {
            session.setAttribute(ReadOnlySelection.ATTRIBUTE, null);
            return super.processRequestReactive(request, session,
                QresyncFlagChanges.around(request, session, getMailboxManager(), responder));
        }
    }
}
