package org.mailroom.storage.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.store.quota.CurrentQuotaManagerContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import reactor.core.publisher.Mono;

/**
 * James's current-quota contract run against the shared Derby database (emptied before each test), plus the
 * concurrency the relative updates exist for.
 */
class JdbcCurrentQuotaManagerTest implements CurrentQuotaManagerContract {
    private Database db;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void emptyDatabase() {
        // Once per test: the contract calls testee() several times within one test.
        db = database();
    }

    @Override
    public CurrentQuotaManager testee() {
        return new JdbcCurrentQuotaManager(db);
    }

    @Test
    void concurrentFirstIncreasesOfFreshRootsAreAllCounted() throws Exception {
        int writers = 8;
        int roots = 20;
        CurrentQuotaManager manager = testee();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int r = 0; r < roots; r++) {
                QuotaRoot root = QuotaRoot.quotaRoot("#private&race" + r + "@example.org", Optional.empty());
                QuotaOperation one = new QuotaOperation(root, QuotaCountUsage.count(1), QuotaSizeUsage.size(10));
                // Every writer finds no row and tries to insert it at the same moment: all but one must retry.
                CyclicBarrier start = new CyclicBarrier(writers);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        return Mono.from(manager.increase(one)).block();
                    }));
                }
                for (Future<?> future : done) {
                    future.get(30, TimeUnit.SECONDS);
                }

                assertThat(Mono.from(manager.getCurrentQuotas(root)).block())
                    .isEqualTo(new CurrentQuotas(QuotaCountUsage.count(writers), QuotaSizeUsage.size(10L * writers)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rootsAreCountedApart() {
        QuotaRoot other = QuotaRoot.quotaRoot("#private&other", Optional.empty());
        Mono.from(testee().increase(new QuotaOperation(QUOTA_ROOT, QuotaCountUsage.count(3), QuotaSizeUsage.size(30)))).block();

        assertThat(Mono.from(testee().getCurrentQuotas(other)).block()).isEqualTo(CurrentQuotas.emptyQuotas());
    }
}
