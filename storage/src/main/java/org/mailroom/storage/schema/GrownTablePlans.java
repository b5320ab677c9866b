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

import javax.sql.DataSource;

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
 */
final class GrownTablePlans {
    /** How often the sizes are read: a few CPU milliseconds for some 40 tables. */
    static final Duration PERIOD = Duration.ofSeconds(10);
    private static final int GROWTH_FACTOR = 2;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Map<String, Long> pagesWhenPlanned = new HashMap<>();

    GrownTablePlans(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /**
     * Reads every table's size, has the plans of each table that doubled since it was last planned made again, and
     * returns those tables. The first call only remembers the sizes.
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
            for (String table : grown) {
                try (PreparedStatement replan = c.prepareStatement(dialect.replanTableCall())) {
                    replan.setString(1, table);
                    replan.execute();
                }
                pagesWhenPlanned.put(table, sizes.get(table));
            }
            return grown;
        }
    }
}
