package org.mailroom.storage.testing;

import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mailroom.storage.schema.Database;

/**
 * What Derby's compiled plans do with Mailroom's tables: for every statement in Derby's statement cache
 * ({@code SYSCS_DIAG.STATEMENT_CACHE}, the plans the real code paths compiled) that reads, changes or deletes rows of
 * a Mailroom table, the plan's access to each table: an index scan, or a scan of the whole table. Each statement is
 * run once with runtime statistics on, every parameter NULL (so it matches no row and the plan is what is reported),
 * inside a transaction that is rolled back. Derby shares one compiled plan between all connections that prepare the
 * same text, so this is the plan the store's own cached statements run; a plan Derby has marked stale is compiled
 * again by this execution, as it would be by the store's next one.
 */
public final class StatementPlans {
    private static final Pattern ACCESS = Pattern.compile(
        "(Table|Index) Scan ResultSet for (\\w+)(?: using (?:index|constraint) (\\w+))?");

    /** One statement's plan: per table it reads, how (for each access in the plan). */
    public record Plan(String sql, List<String> accesses, String statistics) {
        /** Whether the plan scans the whole of {@code table} (upper case) anywhere. */
        public boolean scans(String table) {
            return accesses.contains("TABLE SCAN " + table);
        }

        @Override
        public String toString() {
            return String.join(", ", accesses) + "  <-  " + sql;
        }
    }

    private StatementPlans() {
    }

    /** The plans of the cached statements on Mailroom tables ({@code mr_} prefix), by SQL text. */
    public static TreeMap<String, Plan> ofCachedStatements(Database db) {
        TreeMap<String, Plan> plans = new TreeMap<>();
        for (String sql : cachedTexts(db)) {
            plans.put(sql, of(db, sql));
        }
        return plans;
    }

    private static List<String> cachedTexts(Database db) {
        return db.read(c -> {
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sql_text FROM SYSCS_DIAG.STATEMENT_CACHE")) {
                while (rs.next()) {
                    String sql = rs.getString(1);
                    String lower = sql.toLowerCase(Locale.ROOT).strip();
                    if (lower.contains(" mr_") && !lower.contains("syscs_")
                        && (lower.startsWith("select") || lower.startsWith("update") || lower.startsWith("delete"))) {
                        found.add(sql);
                    }
                }
            }
            return found;
        });
    }

    /**
     * The plan of the one statement in Derby's statement cache whose text starts with {@code start}: the statement a
     * real code path compiled, found without repeating its text here.
     */
    public static Plan ofCached(Database db, String start) {
        List<String> matching = cachedTexts(db).stream().filter(sql -> sql.startsWith(start)).toList();
        if (matching.size() != 1) {
            throw new IllegalStateException("Expected one cached statement starting with '" + start + "', found "
                + matching);
        }
        return of(db, matching.get(0));
    }

    /** Whether Derby holds index statistics (cardinalities, which its optimizer uses) for {@code table}. */
    public static boolean hasIndexStatistics(Database db, String table) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM SYS.SYSSTATISTICS s"
                + " JOIN SYS.SYSTABLES t ON t.tableid = s.tableid WHERE t.tablename = ?")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getLong(1) > 0;
                }
            }
        });
    }

    /** The plan of one statement, as Derby runs it now. */
    public static Plan of(Database db, String sql) {
        return db.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(1)");
            }
            try {
                String statistics = runAndReport(c, sql);
                List<String> accesses = new ArrayList<>();
                Matcher m = ACCESS.matcher(statistics);
                while (m.find()) {
                    accesses.add(m.group(1).toUpperCase(Locale.ROOT) + " SCAN " + m.group(2)
                        + (m.group(3) == null ? "" : " (" + m.group(3) + ")"));
                }
                return new Plan(sql, accesses, statistics);
            } finally {
                c.rollback();
                try (Statement s = c.createStatement()) {
                    s.execute("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(0)");
                }
            }
        });
    }

    private static String runAndReport(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ParameterMetaData parameters = ps.getParameterMetaData();
            for (int i = 1; i <= parameters.getParameterCount(); i++) {
                ps.setNull(i, parameters.getParameterType(i));
            }
            if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        // drain: the statistics are complete once the result set is closed
                    }
                }
            }
        } catch (SQLException e) {
            return "not run: " + e.getMessage();
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("VALUES SYSCS_UTIL.SYSCS_GET_RUNTIMESTATISTICS()")) {
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
        }
    }
}
