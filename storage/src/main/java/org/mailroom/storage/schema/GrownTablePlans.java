package org.mailroom.storage.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has Derby plan a table's statements again each time the table has doubled in size. Derby compiles a statement's
 * plan at its first execution and keeps it; a new installation runs every statement first against empty tables,
 * where scanning the table is the cheapest plan, and Derby's own stale-plan check (every 100 executions of one plan,
 * from a row-count estimate) does not reliably replace it: the spam filter's token look-up and the importance
 * weights' look-up were seen scanning tables of thousands of rows for every message (bench/README.md, SMTP,
 * "h-dbplans"). A statement that rarely runs (a look-up most of whose rows a cache answers) is never checked at all.
 *
 * <p>Sizes are allocated pages (they only grow, and reading them touches no row). A table's size when first seen is
 * remembered without re-planning: statements compiled from then on see at least that size. Doubling bounds the work:
 * a table that grows from 1 page to 1 million is re-planned 20 times in its life, and each re-plan costs one pass over
 * its indexes (Derby's index statistics, which the optimizer uses too) and one compile of each of its statements.
 *
 * <p>That compile is done here, right after the re-plan, not at the statement's next execution: Derby would otherwise
 * compile it inside whichever command runs it next (parse, optimise, generate and load a class: 10-50 ms in a JVM
 * whose Derby compiler is not yet compiled itself), and a store that has just taken thousands of messages has had
 * its message tables re-planned several times, so the first body FETCH, SEARCH or SELECT after them paid it
 * (bench/README.md, IMAP, "h-body", seventeenth session). Every statement of the schema in Derby's statement cache
 * marked for a recompile, whoever marked it (a re-plan here, or Derby's automatic index statistics where a JVM turns
 * them back on: {@code Database} turns them off), is prepared again on this thread every period: preparing a text
 * whose cached plan is invalid compiles it into the cache, where the statements open on the pool's connections find
 * it. Derby's own stale-plan check (every 100th execution, a row count changed by a tenth) recompiled within the
 * execution that found the plan stale, on the command's path: {@code Database} turns it off, and this class is what
 * renews plans. A statement run between a table's re-plan and its compile here still compiles in its execution
 * (the compiles follow each table's re-plan at once to keep that short).
 */
final class GrownTablePlans {
    private static final Logger LOG = LoggerFactory.getLogger(GrownTablePlans.class);
    /** How often the sizes are read: a few CPU milliseconds for some 40 tables. */
    static final Duration PERIOD = Duration.ofSeconds(10);
    private static final int GROWTH_FACTOR = 2;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Map<String, Long> pagesWhenPlanned = new HashMap<>();
    /**
     * True while a re-plan (statistics rewritten, plans marked) and the compiles after it run: a statement executed
     * then may compile inside its execution and wait for the re-plan's transaction ({@link Database#readWithoutWaiting}).
     */
    private final AtomicBoolean replanning;

    GrownTablePlans(DataSource dataSource, Dialect dialect) {
        this(dataSource, dialect, new AtomicBoolean());
    }

    GrownTablePlans(DataSource dataSource, Dialect dialect, AtomicBoolean replanning) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.replanning = replanning;
    }

    /**
     * Reads every table's size, has the plans of each table that doubled since it was last planned made again, and
     * returns those tables; after each table's re-plan (and in a pass with none) it compiles again every cached
     * statement whose plan is marked for a recompile ({@link #recompileInvalidated}). The first call only remembers
     * the sizes.
     */
    synchronized List<String> replanGrownTables() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> sizes = new HashMap<>();
            try (PreparedStatement query = c.prepareStatement(dialect.tableSizesQuery());
                 ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    sizes.put(rs.getString(1), rs.getLong(2));
                }
            }
            List<String> grown = new ArrayList<>();
            for (Map.Entry<String, Long> size : sizes.entrySet()) {
                Long planned = pagesWhenPlanned.putIfAbsent(size.getKey(), size.getValue());
                if (planned != null && size.getValue() >= GROWTH_FACTOR * Math.max(1, planned)) {
                    grown.add(size.getKey());
                }
            }
            if (!grown.isEmpty()) {
                replanning.set(true);
            }
            try {
                for (String table : grown) {
                    replan(c, table);
                    pagesWhenPlanned.put(table, sizes.get(table));
                    // at once, before the next table's re-plan: until then, any command that runs one of these
                    // statements compiles it inside its execution
                    recompileInvalidated(c);
                }
                if (grown.isEmpty()) {
                    recompileInvalidated(c);
                }
            } finally {
                replanning.set(false);
            }
            return grown;
        }
    }

    /**
     * Has the table's plans made again: its index statistics rewritten, which marks its plans; a table whose indexes
     * all hold one unique column has none written and nothing marked, so its plans are then marked directly.
     */
    private void replan(Connection c, String table) throws SQLException {
        try (PreparedStatement replan = c.prepareStatement(dialect.replanTableCall())) {
            replan.setString(1, table);
            replan.execute();
        }
        long statistics;
        try (PreparedStatement query = c.prepareStatement(dialect.tableStatisticsQuery())) {
            query.setString(1, table);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                statistics = rs.getLong(1);
            }
        }
        if (statistics == 0) {
            try (PreparedStatement mark = c.prepareStatement(dialect.markTablePlansCall())) {
                mark.setString(1, table);
                mark.execute();
            }
        }
    }

    /**
     * Prepares again, on {@code c} (a connection of the pool, not the store's statement cache, which would hand back
     * its open statement without asking Derby), every statement whose cached plan is marked for a recompile; returns
     * how many compiled. A text that no longer compiles (its table dropped) is left for its next user to report.
     */
    int recompileInvalidated(Connection c) throws SQLException {
        List<String> invalidated = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement(dialect.invalidatedStatementsQuery());
             ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                invalidated.add(rs.getString(1));
            }
        }
        int compiled = 0;
        for (String sql : invalidated) {
            try {
                c.prepareStatement(sql).close();
                compiled++;
            } catch (SQLException e) {
                LOG.debug("Cannot compile again a statement marked for a recompile: {}", e.getMessage());
            }
        }
        return compiled;
    }
}
