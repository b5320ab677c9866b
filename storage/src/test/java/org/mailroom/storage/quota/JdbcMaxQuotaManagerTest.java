package org.mailroom.storage.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.store.quota.GenericMaxQuotaManagerTest;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import reactor.core.publisher.Mono;

/**
 * James's max-quota contract run against the shared Derby database (emptied before each test), plus the unlimited
 * round trip and scope overrides it omits.
 */
class JdbcMaxQuotaManagerTest extends GenericMaxQuotaManagerTest {
    private static final Domain DOMAIN = Domain.of("domain");

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected MaxQuotaManager provideMaxQuotaManager() {
        return new JdbcMaxQuotaManager(database());
    }

    @Test
    void unlimitedRoundTripsAtEveryScope() throws Exception {
        maxQuotaManager.setGlobalMaxMessage(QuotaCountLimit.unlimited());
        maxQuotaManager.setGlobalMaxStorage(QuotaSizeLimit.unlimited());
        maxQuotaManager.setDomainMaxMessage(DOMAIN, QuotaCountLimit.unlimited());
        maxQuotaManager.setDomainMaxStorage(DOMAIN, QuotaSizeLimit.unlimited());
        maxQuotaManager.setMaxMessage(QUOTA_ROOT, QuotaCountLimit.unlimited());
        maxQuotaManager.setMaxStorage(QUOTA_ROOT, QuotaSizeLimit.unlimited());

        assertThat(maxQuotaManager.getGlobalMaxMessage()).contains(QuotaCountLimit.unlimited());
        assertThat(maxQuotaManager.getGlobalMaxStorage()).contains(QuotaSizeLimit.unlimited());
        assertThat(maxQuotaManager.getDomainMaxMessage(DOMAIN)).contains(QuotaCountLimit.unlimited());
        assertThat(maxQuotaManager.getDomainMaxStorage(DOMAIN)).contains(QuotaSizeLimit.unlimited());
        assertThat(maxQuotaManager.listMaxMessagesDetails(QUOTA_ROOT))
            .containsEntry(Quota.Scope.User, QuotaCountLimit.unlimited());
        assertThat(maxQuotaManager.listMaxStorageDetails(QUOTA_ROOT))
            .containsEntry(Quota.Scope.User, QuotaSizeLimit.unlimited());
    }

    @Test
    void zeroIsALimitNotUnlimited() throws Exception {
        maxQuotaManager.setMaxMessage(QUOTA_ROOT, QuotaCountLimit.count(0));

        assertThat(maxQuotaManager.getMaxMessage(QUOTA_ROOT)).contains(QuotaCountLimit.count(0));
    }

    @Test
    void unlimitedAtRootOverridesDomainAndGlobalLimits() throws Exception {
        maxQuotaManager.setGlobalMaxStorage(QuotaSizeLimit.size(100));
        maxQuotaManager.setDomainMaxStorage(DOMAIN, QuotaSizeLimit.size(50));
        maxQuotaManager.setMaxStorage(QUOTA_ROOT, QuotaSizeLimit.unlimited());

        assertThat(maxQuotaManager.getMaxStorage(QUOTA_ROOT)).contains(QuotaSizeLimit.unlimited());
    }

    @Test
    void removingTheRootLimitFallsBackToTheDomainThenTheGlobalLimit() throws Exception {
        maxQuotaManager.setGlobalMaxMessage(QuotaCountLimit.count(100));
        maxQuotaManager.setDomainMaxMessage(DOMAIN, QuotaCountLimit.count(50));
        maxQuotaManager.setMaxMessage(QUOTA_ROOT, QuotaCountLimit.count(10));

        maxQuotaManager.removeMaxMessage(QUOTA_ROOT);
        assertThat(maxQuotaManager.getMaxMessage(QUOTA_ROOT)).contains(QuotaCountLimit.count(50));

        maxQuotaManager.removeDomainMaxMessage(DOMAIN);
        assertThat(maxQuotaManager.getMaxMessage(QUOTA_ROOT)).contains(QuotaCountLimit.count(100));
    }

    @Test
    void countAndStorageOfOneScopeAreIndependent() throws Exception {
        maxQuotaManager.setMaxMessage(QUOTA_ROOT, QuotaCountLimit.count(10));
        maxQuotaManager.setMaxStorage(QUOTA_ROOT, QuotaSizeLimit.size(1000));

        maxQuotaManager.removeMaxMessage(QUOTA_ROOT);

        assertThat(maxQuotaManager.getMaxMessage(QUOTA_ROOT)).isEmpty();
        assertThat(maxQuotaManager.getMaxStorage(QUOTA_ROOT)).contains(QuotaSizeLimit.size(1000));
    }

    @Test
    void rootWithoutDomainSeesOnlyItsOwnAndGlobalLimits() throws Exception {
        QuotaRoot noDomain = QuotaRoot.quotaRoot("#private&bob", Optional.empty());
        maxQuotaManager.setGlobalMaxMessage(QuotaCountLimit.count(100));
        maxQuotaManager.setDomainMaxMessage(DOMAIN, QuotaCountLimit.count(50));

        assertThat(maxQuotaManager.listMaxMessagesDetails(noDomain))
            .containsOnlyKeys(Quota.Scope.Global);
    }

    @Test
    void reactiveReadsAreEmptyWhenUnset() {
        assertThat(Mono.from(maxQuotaManager.getGlobalMaxMessageReactive()).blockOptional()).isEmpty();
        assertThat(Mono.from(maxQuotaManager.getDomainMaxStorageReactive(DOMAIN)).blockOptional()).isEmpty();
    }
}
