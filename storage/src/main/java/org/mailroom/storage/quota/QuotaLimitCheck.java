package org.mailroom.storage.quota;

import java.util.Map;
import java.util.Optional;

import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaLimitValue;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.quota.QuotaManager;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * The quota manager handed to James's message managers, which use it only to check an append, copy or move
 * against the limits ({@code StoreMessageManager}'s {@code QuotaChecker}). When no limit applies to the quota
 * root, no addition can exceed one, so the usage is not read (a query and a thread hop per append) and is
 * reported as zero; when a limit applies, it answers exactly as the store's quota manager. Not for showing quotas.
 */
public final class QuotaLimitCheck implements QuotaManager {
    private final QuotaManager quotas;
    private final MaxQuotaManager limits;

    public QuotaLimitCheck(QuotaManager quotas, MaxQuotaManager limits) {
        this.quotas = quotas;
        this.limits = limits;
    }

    @Override
    public Publisher<Quotas> getQuotasReactive(QuotaRoot quotaRoot) {
        return Mono.from(limits.quotaDetailsReactive(quotaRoot)).flatMap(details -> {
            Optional<QuotaCountLimit> count = limits.getMaxMessage(details.getMaxMessageDetails());
            Optional<QuotaSizeLimit> size = limits.getMaxStorage(details.getMaxStorageDetails());
            if (isLimited(count) || isLimited(size)) {
                return Mono.from(quotas.getQuotasReactive(quotaRoot));
            }
            return Mono.just(new Quotas(
                unlimited(QuotaCountUsage.count(0), QuotaCountLimit.unlimited(), details.getMaxMessageDetails()),
                unlimited(QuotaSizeUsage.size(0), QuotaSizeLimit.unlimited(), details.getMaxStorageDetails())));
        });
    }

    private static boolean isLimited(Optional<? extends QuotaLimitValue<?>> limit) {
        return limit.map(QuotaLimitValue::isLimited).orElse(false);
    }

    private static <T extends QuotaLimitValue<T>, U extends org.apache.james.core.quota.QuotaUsageValue<U, T>> Quota<T, U>
            unlimited(U noUsage, T unlimited, Map<Quota.Scope, T> byScope) {
        return Quota.<T, U>builder().used(noUsage).computedLimit(unlimited).limitsByScope(byScope).build();
    }

    @Override
    public Quotas getQuotas(QuotaRoot quotaRoot) throws MailboxException {
        return Mono.from(getQuotasReactive(quotaRoot)).block();
    }

    @Override
    public Quota<QuotaCountLimit, QuotaCountUsage> getMessageQuota(QuotaRoot quotaRoot) throws MailboxException {
        return quotas.getMessageQuota(quotaRoot);
    }

    @Override
    public Quota<QuotaSizeLimit, QuotaSizeUsage> getStorageQuota(QuotaRoot quotaRoot) throws MailboxException {
        return quotas.getStorageQuota(quotaRoot);
    }
}
