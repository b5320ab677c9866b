package org.mailroom.storage.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

/**
 * The one open database of a Mailroom process: a pooled {@link DataSource}, its {@link Dialect}, the schema
 * migrated to the current version, and helpers that run JDBC work in auto-commit or in one committed
 * transaction. Start-up failures are turned into one {@link StorageStartupException} naming the path or URL.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int MAX_TRANSACTION_ATTEMPTS = 5;
    /** Derby's system property: every how many executions a plan's row counts are compared (default 100). */
    static final String STALE_PLAN_CHECK_INTERVAL = "derby.language.stalePlanCheckInterval";
    /** Derby's system property: how many pages its page cache holds (default 1,000), read when the database boots. */
    static final String PAGE_CACHE_SIZE = "derby.storage.pageCacheSize";
    /** The most pages the cache is given, and the fewest (Derby's own default): see {@link #pageCachePages}. */
    static final int PAGE_CACHE_PAGES = 4_000;
    static final int DERBY_DEFAULT_PAGE_CACHE_PAGES = 1_000;
    /** The largest page Derby uses (tables with long columns); index and membership pages are 4 KB. */
    private static final long LARGEST_PAGE_BYTES = 32 * 1024;

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final String description;
    private final String shutdownUrl;
    private final StatementCache statements = new StatementCache();
    /** Whether the database runs in this process (embedded Derby): a read is then no network round trip. */
    private final boolean inProcess;
    /** True while {@link GrownTablePlans} rewrites statistics and compiles the plans they invalidated. */
    private final AtomicBoolean replanningTables = new AtomicBoolean();
    /** Re-plans the statements of grown tables, where the engine keeps old plans (Derby); null elsewhere. */
    private ScheduledExecutorService replanning;

    private Database(HikariDataSource dataSource, Dialect dialect, String description, String shutdownUrl,
                     boolean inProcess) {
        this.dataSource = dataSource;
        this.inProcess = inProcess;
        this.dialect = dialect;
        this.description = description;
        this.shutdownUrl = shutdownUrl;
    }

    /** Opens (creating if needed) the database and applies pending schema migrations. */
    public static Database open(DatabaseSettings settings) {
        String url;
        String description;
        String shutdownUrl = null;
        if (settings.isEmbedded()) {
            Path dbPath = settings.embeddedDatabasePath();
            prepareDataDirectory(settings.dataDirectory().toAbsolutePath().normalize(), dbPath);
            url = "jdbc:derby:" + dbPath + ";create=true";
            shutdownUrl = "jdbc:derby:" + dbPath + ";shutdown=true";
            description = dbPath.toString();
        } else {
            url = settings.jdbcUrl().orElseThrow();
            description = url;
        }
        Dialect dialect = Dialect.fromJdbcUrl(url);

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.poolSize());
        config.setPoolName("mailroom-db");
        config.setAutoCommit(true);
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(30_000);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StorageStartupException("Cannot open the database at " + description + ": "
                + explainBootFailure(e.getCause()), e);
        }
        Database database = new Database(dataSource, dialect, description, shutdownUrl, settings.isEmbedded());
        try {
            database.migrate();
            database.startReplanningGrownTables();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        LOG.info("Database open at {} ({})", description, dialect);
        return database;
    }

    /**
     * The page cache's size for a heap of at most {@code maxHeapBytes}: {@link #PAGE_CACHE_PAGES}, but never more than
     * an eighth of the heap in the largest pages, nor fewer than Derby's default. The cache lives on the heap, and a
     * small machine's JVM gets a small one (a quarter of the RAM by default): 4,000 pages of 32 KB, 125 MB, are fine
     * in a 1 GB heap but not in the 256 MB a 1 GB machine gives.
     */
    static int pageCachePages(long maxHeapBytes) {
        long eighthOfHeap = maxHeapBytes / 8 / LARGEST_PAGE_BYTES;
        return (int) Math.max(DERBY_DEFAULT_PAGE_CACHE_PAGES, Math.min(PAGE_CACHE_PAGES, eighthOfHeap));
    }

    private static void prepareDataDirectory(Path dataDirectory, Path dbPath) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new StorageStartupException("Cannot create the data directory " + dataDirectory + ": " + e, e);
        }
        if (!Files.isDirectory(dataDirectory)) {
            throw new StorageStartupException("The data directory " + dataDirectory + " is not a directory");
        }
        // A real write, not Files.isWritable: for root, permission bits say yes even where the write fails
        // (read-only mount, immutable folder).
        requireWritable(dataDirectory, dataDirectory);
        if (Files.isDirectory(dbPath)) {
            requireWritable(dbPath, dataDirectory);
        }
        if (Files.exists(dbPath) && !Files.exists(dbPath.resolve("service.properties"))) {
            throw new StorageStartupException("The database folder " + dbPath
                + " exists but is not a Derby database (service.properties is missing): it is corrupt or"
                + " belongs to something else; move it away or restore it from a backup");
        }
        // Derby writes its own diagnostics log; keep it beside the database, not in the working directory.
        if (System.getProperty("derby.stream.error.file") == null) {
            System.setProperty("derby.stream.error.file", dataDirectory.resolve("derby.log").toString());
        }
        // Identity values (queue rows, attempt history, messages) come from Derby's sequence generators, which by
        // default reserve a small block of values at a time under a system-table lock: concurrent deliveries and enqueues then
        // fail with 40XL1 ("too much contention"). Reserving 1,000 costs at most a gap in ids after a crash.
        if (System.getProperty("derby.language.sequence.preallocator") == null) {
            System.setProperty("derby.language.sequence.preallocator", "1000");
        }
        // Every append writes its ~4 KB message into the transaction log. With Derby's default 32 KB log buffer a
        // buffer fills every few appends and is switched and written out on its own; a 1 MB buffer measured about a
        // third less CPU per 4 KB insert (bench/README.md, "Storage"). Commits still force the log to disk.
        if (System.getProperty("derby.storage.logBufferSize") == null) {
            System.setProperty("derby.storage.logBufferSize", "1048576");
        }
        // Index statistics are made by GrownTablePlans, at each doubling of a table, and the plans they invalidate are
        // compiled again right after on its thread. Derby's own daemon rewrote them whenever some compile found them
        // stale, at any moment, marking every plan of the table for a recompile in the middle of commands: after
        // 3,000 APPENDs, the first SELECT's compile set it off and the next body FETCHes and SEARCH each compiled
        // their statement again (bench/README.md, IMAP, "h-body", seventeenth session).
        if (System.getProperty("derby.storage.indexStats.auto") == null) {
            System.setProperty("derby.storage.indexStats.auto", "false");
        }
        // Derby's page cache holds derby.storage.pageCacheSize pages (default 1,000), and a table with message bytes has
        // 32 KB pages of about seven messages each: a folder of 10,000 messages outgrew it, so after a header SEARCH
        // half of the body FETCHes spread over the folder read 3-4 pages each from the file (0.05-0.1 ms more per
        // FETCH, on the event loop) and the SEARCH itself read 1,450 (bench/README.md, IMAP, "h-stale"). 4,000 pages
        // hold such a folder and a few thousand more messages: at most 125 MB if every page were a 32 KB one.
        if (System.getProperty(PAGE_CACHE_SIZE) == null) {
            System.setProperty(PAGE_CACHE_SIZE, String.valueOf(pageCachePages(Runtime.getRuntime().maxMemory())));
        }
        // Derby's stale-plan check: at every 100th execution of a compiled plan it compares the row counts of the
        // tables the plan scans with those of its first execution, and past a tenth of change it compiles the
        // statement again inside that execution, on the command's thread (a body FETCH answered on the event loop
        // stalled the loop for the compile, and each compile loads a new generated class). Growing tables are
        // re-planned off the commands' path by GrownTablePlans at each doubling instead, so the check only counts
        // (its first execution records the row counts; Integer.MAX_VALUE executions are never reached).
        if (System.getProperty(STALE_PLAN_CHECK_INTERVAL) == null) {
            System.setProperty(STALE_PLAN_CHECK_INTERVAL, String.valueOf(Integer.MAX_VALUE));
        }
        // Derby looks for a deadlock only after a lock wait of derby.locks.deadlockTimeout seconds (default 20): two
        // IMAP sessions of one mailbox caught in one (a whole-message FETCH's shared locks against a STORE's update)
        // each stalled 20 s before one was chosen to fail. One second keeps that stall short; ordinary waits still
        // last up to derby.locks.waitTimeout.
        if (System.getProperty("derby.locks.deadlockTimeout") == null) {
            System.setProperty("derby.locks.deadlockTimeout", "1");
        }
        // A transaction holding more than derby.locks.escalationThreshold row locks on one table (default 5,000: a
        // STORE or EXPUNGE over a large mailbox) had them replaced by a lock on the whole table until its commit, and
        // every reader of that table then waited for it, even at READ UNCOMMITTED (which still takes the table's
        // intent lock): the reads that must not wait (readWithoutWaiting) could not be told apart from the rest.
        // Without escalation a transaction keeps its row locks (~0.15 KB each, while James holds an event object per
        // changed message of the same transaction anyway).
        if (System.getProperty("derby.locks.escalationThreshold") == null) {
            System.setProperty("derby.locks.escalationThreshold", String.valueOf(Integer.MAX_VALUE));
        }
    }

    private static void requireWritable(Path directory, Path dataDirectory) {
        try {
            Path probe = Files.createTempFile(directory, ".mailroom-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new StorageStartupException("The data directory " + dataDirectory + " is not writable ("
                + directory + ": " + e.getMessage() + ")", e);
        }
    }

    private static String explainBootFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if ("XSDB6".equals(e.getSQLState())) {
                        return "it is locked by another process (another Mailroom or Derby instance is using it)";
                    }
                }
            }
        }
        StringBuilder reason = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (reason.length() > 0) {
                reason.append(" <- ");
            }
            reason.append(t.getMessage());
            if (t instanceof SQLException sql && sql.getNextException() != null && t.getCause() == null) {
                t = sql.getNextException();
                reason.append(" <- ").append(t.getMessage());
            }
        }
        return reason.length() == 0 ? String.valueOf(cause) : reason.toString();
    }

    private void migrate() {
        try {
            Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.schemaPlaceholders())
                .table("mr_schema_history")
                .load()
                .migrate();
        } catch (FlywayException e) {
            throw new StorageStartupException("Cannot migrate the schema of the database at " + description + ": "
                + e.getMessage(), e);
        }
    }

    /**
     * On Derby, remembers every table's size now and re-plans a table's statements whenever it has doubled
     * ({@link GrownTablePlans}), checked every {@link GrownTablePlans#PERIOD} on a daemon thread of its own.
     */
    private void startReplanningGrownTables() {
        if (!dialect.keepsPlansOfSmallerTables()) {
            return;
        }
        GrownTablePlans plans = new GrownTablePlans(dataSource, dialect, replanningTables);
        try {
            plans.replanGrownTables();
        } catch (SQLException e) {
            throw new StorageStartupException("Cannot read the table sizes of the database at " + description + ": "
                + e.getMessage(), e);
        }
        replanning = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "mailroom-db-replan");
            thread.setDaemon(true);
            return thread;
        });
        long period = GrownTablePlans.PERIOD.toMillis();
        replanning.scheduleWithFixedDelay(() -> {
            try {
                List<String> grown = plans.replanGrownTables();
                if (!grown.isEmpty()) {
                    LOG.debug("Re-planned the statements of {} (doubled in size)", grown);
                }
            } catch (SQLException | RuntimeException e) {
                if (replanning.isShutdown()) {
                    // close() interrupted the pass (Derby then closes its connection "by unknown interrupt"): nothing
                    // is wrong, the database is closing (an admin command's exit, a server's stop)
                    LOG.debug("Re-planning of grown tables stopped by the database's close: {}", e.getMessage());
                    return;
                }
                // Plans stay as they were; the next period tries again.
                LOG.warn("Re-planning the statements of grown tables failed: {}", e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Runs read-only or single-statement work on a pooled auto-commit connection. Statements the work prepares
     * are kept open for the next work with the same SQL ({@link StatementCache}): close them, never keep them.
     */
    public <T> T read(Sql.Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(statements.wrap(connection));
        } catch (SQLException e) {
            throw new StorageException("Database read failed on " + description + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the database runs in this process (embedded Derby): a read is then no network round trip, only the
     * engine's work and, for a page it does not hold, a file read.
     */
    public boolean inProcess() {
        return inProcess;
    }

    /**
     * Runs read-only work as {@link #read} does, but only where nothing but the work itself can make it wait: a
     * pooled connection is free at once (none is waited for), and no re-planning pass is rewriting statistics (a
     * statement whose plan it invalidated compiles in its execution, and that compile waits for the pass's
     * transaction). The work must take no lock another transaction could hold (a query at
     * {@link Dialect#readWithoutRowLocks} of rows no transaction changes). Returns empty, having run nothing, where
     * it cannot (or when the work returns null); the caller then reads where waiting is allowed. A database in
     * another process still answers over the network ({@link #inProcess}).
     */
    public <T> Optional<T> readWithoutWaiting(Sql.Work<T> work) {
        if (replanningTables.get() || !(dataSource.getHikariPoolMXBean() instanceof HikariPool pool)) {
            return Optional.empty();
        }
        Connection connection;
        try {
            connection = pool.getConnection(0);
        } catch (SQLException allInUse) {
            return Optional.empty();
        }
        try (Connection c = connection) {
            return Optional.ofNullable(work.run(statements.wrap(c)));
        } catch (SQLException e) {
            throw new StorageException("Database read failed on " + description + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the work in one transaction and commits it before returning: when this returns, the changes are
     * durable. Lock timeouts and deadlocks (SQLState class 40) are retried a few times from the start.
     */
    public <T> T transaction(Sql.Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_TRANSACTION_ATTEMPTS; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    T result = work.run(statements.wrap(connection));
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(connection);
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (!isTransient(e)) {
                    throw new StorageException("Database transaction failed on " + description + ": " + e.getMessage(), e);
                }
                last = e;
                LOG.debug("Transient database conflict (attempt {}): {}", attempt, e.getMessage());
            }
        }
        throw new StorageException("Database transaction kept conflicting on " + description, last);
    }

    public void transactionVoid(Sql.VoidWork work) {
        transaction(connection -> {
            work.run(connection);
            return null;
        });
    }

    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("40");
    }

    /**
     * Whether {@code failure}, or an exception it wraps, is a lock timeout or deadlock (SQLState class 40): work that
     * failed so left nothing behind and may be run again.
     */
    public static boolean isTransientConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SQLException sql && isTransient(sql)) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed", e);
        }
    }

    @Override
    public String toString() {
        return description + " (" + dialect + ")";
    }

    @Override
    public void close() {
        if (replanning != null) {
            replanning.shutdownNow();
            try {
                replanning.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dataSource.close();
        if (shutdownUrl != null) {
            try {
                DriverManager.getConnection(shutdownUrl).close();
            } catch (SQLException e) {
                // Derby reports a clean single-database shutdown as SQLState 08006.
                if (!"08006".equals(e.getSQLState())) {
                    LOG.warn("Derby shutdown of {} reported: {}", description, e.getMessage());
                }
            }
        }
    }
}
