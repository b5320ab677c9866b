package org.mailroom.storage.quota;

import java.time.Instant;

import java.util.UUID;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.Expunged;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.store.event.EventFactory;
import org.mailroom.storage.mailbox.ListenerAwareEventBus;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Mono;

/**
 * Tells listeners (IMAP QUOTA responses, push clients) the new quota usage after messages were added or
 * expunged. It only reads: the usage itself is already counted by the mappers in the transaction that changed
 * the messages, unlike James's ListeningCurrentQuotaUpdater, which counts it here, after the commit. The usage
 * is read only when some listener takes {@code QuotaUsageUpdatedEvent}s: none of Mailroom's does (IMAP computes
 * QUOTA responses when asked), and the read cost about a tenth of an append's CPU (bench/README.md, "Storage").
 */
public final class QuotaUsageNotifier implements EventListener.ReactiveGroupEventListener {
    /** The event-bus group this listener is registered under. */
    public static final class QuotaUsageNotifierGroup extends Group {
    }

    private static final Group GROUP = new QuotaUsageNotifierGroup();

    private final QuotaRootResolver quotaRootResolver;
    private final QuotaManager quotaManager;
    /** Only asked whether anyone listens, so it never needs a fresh id. */
    private static final Event.EventId PROBE_ID = Event.EventId.of(new UUID(0, 0));
    private static final Quota<QuotaCountLimit, QuotaCountUsage> NO_COUNT = Quota.<QuotaCountLimit, QuotaCountUsage>builder()
        .used(QuotaCountUsage.count(0)).computedLimit(QuotaCountLimit.unlimited()).build();
    private static final Quota<QuotaSizeLimit, QuotaSizeUsage> NO_SIZE = Quota.<QuotaSizeLimit, QuotaSizeUsage>builder()
        .used(QuotaSizeUsage.size(0)).computedLimit(QuotaSizeLimit.unlimited()).build();

    private final ListenerAwareEventBus eventBus;

    public QuotaUsageNotifier(QuotaRootResolver quotaRootResolver, QuotaManager quotaManager, ListenerAwareEventBus eventBus) {
        this.quotaRootResolver = quotaRootResolver;
        this.quotaManager = quotaManager;
        this.eventBus = eventBus;
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public boolean isHandling(Event event) {
        return (event instanceof Added added && !added.getUids().isEmpty())
            || (event instanceof Expunged expunged && !expunged.getUids().isEmpty());
    }

    @Override
    public Publisher<Void> reactiveEvent(Event event) {
        if (event instanceof Added added) {
            return Mono.from(quotaRootResolver.getQuotaRootReactive(added.getMailboxPath()))
                .flatMap(root -> notify(root, added.getUsername()));
        }
        if (event instanceof Expunged expunged) {
            return Mono.from(quotaRootResolver.getQuotaRootReactive(expunged.getMailboxPath()))
                .flatMap(root -> notify(root, expunged.getUsername()));
        }
        return Mono.empty();
    }

    private Mono<Void> notify(QuotaRoot root, Username user) {
        // Listeners decide by the event alone, so an event of the same kind, root and user with no usage in it
        // tells whether the real one would be delivered to anyone.
        if (!eventBus.hasGroupListenerFor(EventFactory.quotaUpdated().eventId(PROBE_ID).user(user).quotaRoot(root)
                .quotaCount(NO_COUNT).quotaSize(NO_SIZE).instant(Instant.EPOCH).build())) {
            return Mono.empty();
        }
        return Mono.from(quotaManager.getQuotasReactive(root))
            .flatMap(quotas -> eventBus.dispatch(EventFactory.quotaUpdated()
                .randomEventId()
                .user(user)
                .quotaRoot(root)
                .quotaCount(quotas.getMessageQuota())
                .quotaSize(quotas.getStorageQuota())
                .instant(Instant.now())
                .build(), ImmutableSet.of()));
    }
}
