package org.mailroom.storage.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.Registration;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.QuotaUsageUpdatedEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.mailbox.ListenerAwareEventBus;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.testing.TestDatabases;
import org.reactivestreams.Publisher;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

/**
 * The quota usage announced after an append, over a real store: read (a query) and dispatched only when a group
 * listener takes quota events, as James's contract suite's listener does; skipped when none does, as in the server.
 */
class QuotaUsageNotifierTest {
    private static final byte[] MESSAGE = ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: quota\r\n\r\n"
        + "hello\r\n").getBytes(StandardCharsets.US_ASCII);

    private MailboxStore store;
    private Added added;
    private CountingQuotaManager quotas;
    private ListenerAwareEventBus bus;
    private QuotaUsageNotifier notifier;

    @BeforeEach
    void appendOneMessage() throws Exception {
        store = new MailboxStore(TestDatabases.derby(), new FakeAuthenticator(), FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), MailboxStore.Settings.defaults(),
            Set.of());
        MailboxSession session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        MailboxPath inbox = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(inbox, session);
        Collector addedEvents = new Collector(event -> event instanceof Added);
        store.eventBus().register(addedEvents);
        store.mailboxManager().getMailbox(inbox, session)
            .appendMessage(MessageManager.AppendCommand.builder().build(MESSAGE), session);
        added = (Added) addedEvents.events.peek();

        quotas = new CountingQuotaManager(store.quotaManager());
        bus = new ListenerAwareEventBus(new InVMEventBus(new InVmEventDelivery(new MicrometerMetricFactory(new SimpleMeterRegistry())),
            RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters()));
        notifier = new QuotaUsageNotifier(store.quotaRootResolver(), quotas, bus);
    }

    @Test
    void withoutAQuotaListenerTheUsageIsNotRead() {
        bus.register(new Collector(event -> event instanceof Added));

        Mono.from(notifier.reactiveEvent(added)).block();

        assertThat(quotas.reads).hasValue(0);
    }

    @Test
    void aQuotaListenerReceivesTheUsageAfterTheAppend() {
        Collector quotaEvents = new Collector(event -> event instanceof QuotaUsageUpdatedEvent);
        bus.register(quotaEvents);

        Mono.from(notifier.reactiveEvent(added)).block();

        assertThat(quotas.reads).hasValue(1);
        assertThat(quotaEvents.events).singleElement().satisfies(event -> {
            QuotaUsageUpdatedEvent quota = (QuotaUsageUpdatedEvent) event;
            assertThat(quota.getUsername()).isEqualTo(Username.of("alice@example.org"));
            assertThat(quota.getCountQuota().getUsed()).isEqualTo(QuotaCountUsage.count(1));
            assertThat(quota.getSizeQuota().getUsed()).isEqualTo(QuotaSizeUsage.size(MESSAGE.length));
        });
    }

    @Test
    void anUnregisteredQuotaListenerNoLongerCausesReads() {
        Registration registration = bus.register(new Collector(event -> event instanceof QuotaUsageUpdatedEvent));
        Mono.from(registration.unregister()).block();

        Mono.from(notifier.reactiveEvent(added)).block();

        assertThat(quotas.reads).hasValue(0);
        assertThat(bus.listRegisteredGroups()).isEmpty();
    }

    /** A group listener keeping the events it takes. */
    private static final class Collector implements EventListener.GroupEventListener {
        private final java.util.function.Predicate<Event> takes;
        private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        private final Group group = new Group() {
        };

        Collector(java.util.function.Predicate<Event> takes) {
            this.takes = takes;
        }

        @Override
        public Group getDefaultGroup() {
            return group;
        }

        @Override
        public boolean isHandling(Event event) {
            return takes.test(event);
        }

        @Override
        public void event(Event event) {
            events.add(event);
        }
    }

    /** The store's quota manager, counting the usage reads made through it. */
    private static final class CountingQuotaManager implements QuotaManager {
        private final QuotaManager delegate;
        private final AtomicInteger reads = new AtomicInteger();

        CountingQuotaManager(QuotaManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public Publisher<Quotas> getQuotasReactive(QuotaRoot quotaRoot) {
            reads.incrementAndGet();
            return delegate.getQuotasReactive(quotaRoot);
        }

        @Override
        public Quotas getQuotas(QuotaRoot quotaRoot) throws MailboxException {
            reads.incrementAndGet();
            return delegate.getQuotas(quotaRoot);
        }

        @Override
        public Quota<QuotaCountLimit, QuotaCountUsage> getMessageQuota(QuotaRoot quotaRoot) throws MailboxException {
            reads.incrementAndGet();
            return delegate.getMessageQuota(quotaRoot);
        }

        @Override
        public Quota<QuotaSizeLimit, QuotaSizeUsage> getStorageQuota(QuotaRoot quotaRoot) throws MailboxException {
            reads.incrementAndGet();
            return delegate.getStorageQuota(quotaRoot);
        }
    }
}
