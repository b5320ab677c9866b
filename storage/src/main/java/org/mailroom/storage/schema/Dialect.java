package org.mailroom.storage.schema;

import java.sql.SQLException;
import java.util.Map;

/**
 * Everything that differs between the SQL engines Mailroom runs on. The schema and every statement are
 * written once in portable SQL; the few type names that differ are Flyway placeholders filled from here.
 */
public enum Dialect {
    /**
     * Derby keeps a statement's plan from its first compile until something invalidates it, and a new database
     * compiles every statement against empty tables: {@link GrownTablePlans} re-plans a table's statements as it
     * grows, through these two statements. Sizes are allocated pages of the table itself (not its indexes), read from
     * the page headers without touching a row; the refresh rebuilds the table's index statistics, which also marks
     * every compiled plan that reads the table for a recompile at its next execution. Derby keeps no statistics for
     * an index of one unique column (the primary key of {@code mr_importance_weight}, its only index), so the refresh
     * of a table with no other index writes none and marks nothing: the next two statements find such a table (no
     * statistics row) and mark its plans by dropping its statistics, which marks them whether or not there are any
     * to drop. The last lists the statements of the schema in Derby's statement cache whose plan is marked, so that
     * they are compiled again off the commands' path.
     */
    DERBY("BLOB", "CLOB",
        "SELECT t.tablename, s.numallocatedpages FROM SYS.SYSTABLES t, TABLE(SYSCS_DIAG.SPACE_TABLE(t.tablename)) s"
            + " WHERE t.tabletype = 'T' AND s.isindex = 0"
            + " AND t.schemaid = (SELECT schemaid FROM SYS.SYSSCHEMAS WHERE schemaname = CURRENT SCHEMA)",
        "CALL SYSCS_UTIL.SYSCS_UPDATE_STATISTICS(CURRENT SCHEMA, ?, NULL)",
        "SELECT COUNT(*) FROM SYS.SYSSTATISTICS s, SYS.SYSTABLES t WHERE s.tableid = t.tableid AND t.tablename = ?"
            + " AND t.schemaid = (SELECT schemaid FROM SYS.SYSSCHEMAS WHERE schemaname = CURRENT SCHEMA)",
        "CALL SYSCS_UTIL.SYSCS_DROP_STATISTICS(CURRENT SCHEMA, ?, NULL)",
        "SELECT sql_text FROM SYSCS_DIAG.STATEMENT_CACHE WHERE valid = FALSE AND schemaname = CURRENT SCHEMA"),
    /**
     * PostgreSQL plans a prepared statement again from current statistics (its custom plans, and a generic plan
     * dropped when autovacuum's ANALYZE changes the table's statistics): nothing to do here.
     */
    POSTGRESQL("BYTEA", "TEXT", null, null, null, null, null);

    private final String binaryType;
    private final String longTextType;
    private final String tableSizesQuery;
    private final String replanTableCall;
    private final String tableStatisticsQuery;
    private final String markTablePlansCall;
    private final String invalidatedStatementsQuery;

    Dialect(String binaryType, String longTextType, String tableSizesQuery, String replanTableCall,
            String tableStatisticsQuery, String markTablePlansCall, String invalidatedStatementsQuery) {
        this.binaryType = binaryType;
        this.longTextType = longTextType;
        this.tableSizesQuery = tableSizesQuery;
        this.replanTableCall = replanTableCall;
        this.tableStatisticsQuery = tableStatisticsQuery;
        this.markTablePlansCall = markTablePlansCall;
        this.invalidatedStatementsQuery = invalidatedStatementsQuery;
    }

    public static Dialect fromJdbcUrl(String url) {
        if (url.startsWith("jdbc:derby:")) {
            return DERBY;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new StorageStartupException("Unsupported JDBC URL '" + url
            + "': Mailroom runs on Derby (jdbc:derby:...) or PostgreSQL (jdbc:postgresql:...)");
    }

    /** Placeholders substituted into the migration scripts. */
    public Map<String, String> schemaPlaceholders() {
        return Map.of("binary", binaryType, "longtext", longTextType);
    }

    /** Whether statements keep plans made for a smaller table until told to re-plan ({@link GrownTablePlans}). */
    boolean keepsPlansOfSmallerTables() {
        return tableSizesQuery != null;
    }

    /** A query listing (table name, size in pages) for every table of the current schema; Derby only. */
    String tableSizesQuery() {
        return requireDerby(tableSizesQuery);
    }

    /** A call, with the table name as its one parameter, after which every plan reading the table is made again. */
    String replanTableCall() {
        return requireDerby(replanTableCall);
    }

    /** A query counting the statistics rows Derby keeps for a table (its name the one parameter). */
    String tableStatisticsQuery() {
        return requireDerby(tableStatisticsQuery);
    }

    /**
     * A call, with the table name as its one parameter, that marks every plan reading the table for a recompile;
     * for a table without statistics (it drops them), after {@link #replanTableCall()} found none to make.
     */
    String markTablePlansCall() {
        return requireDerby(markTablePlansCall);
    }

    /** A query listing the SQL text of every compiled statement of the current schema marked for a recompile. */
    String invalidatedStatementsQuery() {
        return requireDerby(invalidatedStatementsQuery);
    }

    private String requireDerby(String sql) {
        if (sql == null) {
            throw new UnsupportedOperationException(this + " re-plans statements itself");
        }
        return sql;
    }

    /**
     * What ends a SELECT that must take no row lock: Derby's isolation clause for READ UNCOMMITTED, under which a read
     * takes only its tables' intent locks (no row lock, so no wait for a writer's uncommitted row); nothing on
     * PostgreSQL, whose readers never lock rows nor wait for writers (MVCC: a read sees the last committed version).
     * Only for rows no transaction changes once committed: on Derby a row another transaction has changed but not
     * committed is read as changed.
     */
    public String readWithoutRowLocks() {
        return this == DERBY ? " WITH UR" : "";
    }

    /** SQLState 23505 is the standard unique-constraint violation on both engines. */
    public boolean isDuplicateKey(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
