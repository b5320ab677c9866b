package org.mailroom.storage.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.mailroom.storage.schema.Database;

/** The domains this server hosts mail for: a recipient is local exactly when its domain is listed here. */
public final class DomainRepository {
    private final Database db;

    public DomainRepository(Database db) {
        this.db = db;
    }

    public void add(String domain) {
        String name = AddressSyntax.domain(domain);
        db.transactionVoid(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO mr_domain (name) VALUES (?)")) {
                insert.setString(1, name);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (db.dialect().isDuplicateKey(e)) {
                    throw new UserAdminException("domain " + name + " already exists");
                }
                throw e;
            }
        });
    }

    /** Refused while users or aliases of the domain remain, so no mailbox is silently orphaned. */
    public void remove(String domain) {
        String name = AddressSyntax.domain(domain);
        db.transactionVoid(c -> {
            // Deleting first takes the row lock that user and alias additions wait on (see lockIfLocal), so
            // nobody can be added to the domain between the count below and the commit.
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM mr_domain WHERE name = ?")) {
                delete.setString(1, name);
                if (delete.executeUpdate() == 0) {
                    throw notLocal(name);
                }
            }
            int users = countInDomain(c, "SELECT COUNT(*) FROM mr_user WHERE username LIKE ?", name);
            int aliases = countInDomain(c, "SELECT COUNT(DISTINCT address) FROM mr_alias WHERE address LIKE ?", name);
            if (users > 0 || aliases > 0) {
                throw new UserAdminException("domain " + name + " still has " + remaining(users, aliases)
                    + (users + aliases == 1 ? "; remove it first" : "; remove them first"));
            }
        });
    }

    /** All hosted domains, in their ASCII form, sorted. */
    public List<String> list() {
        List<String> names = db.read(c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM mr_domain");
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
            return result;
        });
        // Sorted here rather than by ORDER BY: PostgreSQL collations would order differently from Derby.
        Collections.sort(names);
        return List.copyOf(names);
    }

    /** False for a domain that is not hosted, including text that is not a domain name at all. */
    public boolean contains(String domain) {
        String name = AddressSyntax.domainOrNull(domain);
        return name != null && db.read(c -> exists(c, name));
    }

    /**
     * Inside a caller's transaction: checks the (normalised) domain is hosted and holds its row lock until commit,
     * so a concurrent {@link #remove} cannot slip between the check and the caller's insert.
     */
    static void lockIfLocal(Connection c, String name) throws SQLException {
        // A no-op UPDATE is the portable row lock: SELECT ... FOR UPDATE behaves differently on Derby.
        try (PreparedStatement lock = c.prepareStatement("UPDATE mr_domain SET name = name WHERE name = ?")) {
            lock.setString(1, name);
            if (lock.executeUpdate() == 0) {
                throw notLocal(name);
            }
        }
    }

    static UserAdminException notLocal(String name) {
        return new UserAdminException(name + " is not a local domain");
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM mr_domain WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Counts rows whose address column ends in "@domain"; also matches catch-alls ("@domain"). */
    private static int countInDomain(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement count = c.prepareStatement(sql)) {
            // Validated domain names hold no LIKE wildcards ('%', '_'), so no escaping is needed.
            count.setString(1, "%@" + name);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String remaining(int users, int aliases) {
        String userText = users + (users == 1 ? " user" : " users");
        String aliasText = aliases + (aliases == 1 ? " alias" : " aliases");
        if (aliases == 0) {
            return userText;
        }
        return users == 0 ? aliasText : userText + " and " + aliasText;
    }
}
