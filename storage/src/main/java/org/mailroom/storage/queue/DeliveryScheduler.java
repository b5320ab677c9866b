package org.mailroom.storage.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.Dialect;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;
import org.quartz.simpl.SimpleThreadPool;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each queued message is looked at next, kept by Quartz in a JDBC job store (JobStoreTX) in the same database
 * as the queue, so a restart resumes every pending delivery at its scheduled time (a time missed while the server
 * was down fires at once). One job per message, keyed by its id and marked {@link DisallowConcurrentExecution}: two
 * attempts on one message never run at the same time, even when a retry is asked for while one is running.
 *
 * <p>What an attempt does is the {@link Attempt} given here; Quartz stays an implementation detail of storage.
 * Quartz keeps its schedulers in a JVM-wide registry by name, so one process runs one of these at a time.
 */
public final class DeliveryScheduler implements AutoCloseable {

    /** One delivery attempt of one queued message. */
    @FunctionalInterface
    public interface Attempt {
        void run(long messageId);
    }

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);
    private static final String GROUP = "outbound";
    /** Quartz's name of the schedule in its tables: fixed, or a restart would not find its own triggers. */
    private static final String SCHEDULER_NAME = "mailroom-outbound";
    private static final AtomicInteger PROVIDERS = new AtomicInteger();

    private final Scheduler scheduler;

    private DeliveryScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Opens the schedule over the database, {@code threads} attempts at most at once; not yet started. */
    public static DeliveryScheduler open(Database database, int threads, Attempt attempt) {
        Objects.requireNonNull(attempt, "attempt");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        // Quartz looks connection providers up by name in its own registry; the name ties it to this Database.
        String dataSourceName = "mailroom-db-" + PROVIDERS.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return database.dataSource().getConnection();
            }

            @Override
            public void shutdown() {
                // The Database is closed by its owner, after the scheduler.
            }

            @Override
            public void initialize() {
            }
        });
        Properties properties = new Properties();
        properties.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER_NAME);
        properties.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "mailroom");
        properties.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        properties.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, SimpleThreadPool.class.getName());
        properties.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        properties.setProperty("org.quartz.threadPool.threadNamePrefix", "mailroom-outbound");
        properties.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        properties.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, JobStoreTX.class.getName());
        properties.setProperty("org.quartz.jobStore.driverDelegateClass",
            database.dialect() == Dialect.POSTGRESQL ? PostgreSQLDelegate.class.getName() : StdJDBCDelegate.class.getName());
        properties.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        properties.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        properties.setProperty("org.quartz.jobStore.useProperties", "false");
        // A trigger more than this late (e.g. the server was down) counts as misfired and fires at once.
        properties.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        // How often the scheduler thread looks for due triggers when nothing woke it: a trigger rescheduled by its own
        // running job (the next attempt) wakes nobody, so this bounds how late a retry can start. 1 s is Quartz's minimum
        // and one cheap query a second.
        properties.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
        // Up to one due trigger per thread is taken per round trip under the trigger lock, not one at a time: a
        // burst of due messages for one host then runs together, and shares that host's connections.
        properties.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(threads));
        try {
            Scheduler scheduler = new StdSchedulerFactory(properties).getScheduler();
            scheduler.setJobFactory(new AttemptJobFactory(attempt));
            return new DeliveryScheduler(scheduler);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Cannot open the outbound schedule: " + e.getMessage(), e);
        }
    }

    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("Cannot start the outbound schedule: " + e.getMessage(), e);
        }
    }

    /**
     * Looks at the message at {@code when} (now or in the past = as soon as a thread is free), replacing any time
     * set before. Safe to call from within the message's own running attempt.
     */
    public void schedule(long messageId, Instant when) {
        TriggerKey triggerKey = TriggerKey.triggerKey(name(messageId), GROUP);
        Trigger trigger = TriggerBuilder.newTrigger()
            .withIdentity(triggerKey)
            .forJob(JobKey.jobKey(name(messageId), GROUP))
            .startAt(Date.from(when))
            .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
            .build();
        try {
            if (scheduler.checkExists(triggerKey)) {
                scheduler.rescheduleJob(triggerKey, trigger);
            } else {
                JobDetail job = JobBuilder.newJob(AttemptJob.class)
                    .withIdentity(JobKey.jobKey(name(messageId), GROUP))
                    .usingJobData("messageId", messageId)
                    .build();
                scheduler.scheduleJob(job, Set.of(trigger), true);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("Cannot schedule queued message " + messageId + ": " + e.getMessage(), e);
        }
    }

    /** Whether an attempt is scheduled for the message. */
    public boolean isScheduled(long messageId) {
        try {
            return scheduler.checkExists(TriggerKey.triggerKey(name(messageId), GROUP));
        } catch (SchedulerException e) {
            throw new IllegalStateException("Cannot read the outbound schedule: " + e.getMessage(), e);
        }
    }

    /** Forgets the message's schedule (it was delivered, bounced or deleted). */
    public void unschedule(long messageId) {
        try {
            scheduler.deleteJob(JobKey.jobKey(name(messageId), GROUP));
        } catch (SchedulerException e) {
            LOG.warn("Could not remove the schedule of queued message {}: {}", messageId, e.getMessage());
        }
    }

    private static String name(long messageId) {
        return "msg-" + messageId;
    }

    /** Stops taking new attempts and waits for running ones to finish. */
    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("Outbound schedule shutdown: {}", e.getMessage());
        }
    }

    /** The Quartz job: one attempt on one message, never two at once for the same message. */
    @DisallowConcurrentExecution
    public static final class AttemptJob implements Job {
        private final Attempt attempt;

        AttemptJob(Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void execute(JobExecutionContext context) {
            long messageId = context.getMergedJobDataMap().getLong("messageId");
            try {
                attempt.run(messageId);
            } catch (RuntimeException e) {
                // The attempt records its own failures; one that escapes must not stop the scheduler thread.
                LOG.error("Delivery attempt for queued message {} failed", messageId, e);
            }
        }
    }

    private record AttemptJobFactory(Attempt attempt) implements JobFactory {
        @Override
        public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) {
            return new AttemptJob(attempt);
        }
    }
}
