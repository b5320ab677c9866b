package org.mailroom.storage.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.mailroom.storage.schema.Database;

/**
 * Extra addresses that deliver to local users (several targets per alias, and {@code @domain} catch-alls), and
 * the resolution of any recipient address to the local users its mail goes to.
 */
public final class AliasRepository {
    private static final String CATCH_ALL_PREFIX = "@";

    private final Database db;
    private final DomainRepository domains;
    private final UserRepository users;

    public AliasRepository(Database db, DomainRepository domains, UserRepository users) {
        this.db = db;
        this.domains = domains;
        this.users = users;
    }

    /** Makes {@code alias} (an address, or {@code @domain} for every unknown address of the domain) deliver to a user. */
    public void add(String alias, String targetUser) {
        String address = normalisedAlias(alias);
        String target = AddressSyntax.address(targetUser);
        String domain = AddressSyntax.domainOf(address);
        if (!domains.contains(domain)) {
            throw DomainRepository.notLocal(domain);
        }
        db.transactionVoid(c -> {
            DomainRepository.lockIfLocal(c, domain);
            if (UserRepository.exists(c, address)) {
                throw new UserAdminException(address + " is a user, so it cannot also be an alias");
            }
            UserRepository.lockIfExists(c, target);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO mr_alias (address, target) VALUES (?, ?)")) {
                insert.setString(1, address);
                insert.setString(2, target);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (db.dialect().isDuplicateKey(e)) {
                    throw new UserAdminException("alias " + address + " already points to " + target);
                }
                throw e;
            }
        });
    }

    /** Removes one target of an alias; the alias itself goes when its last target does. */
    public void remove(String alias, String targetUser) {
        String address = normalisedAlias(alias);
        String target = AddressSyntax.address(targetUser);
        int removed = delete("DELETE FROM mr_alias WHERE address = ? AND target = ?", address, target);
        if (removed == 0) {
            throw new UserAdminException("alias " + address + " does not point to " + target);
        }
    }

    /** Removes the alias with all its targets. */
    public void remove(String alias) {
        String address = normalisedAlias(alias);
        if (delete("DELETE FROM mr_alias WHERE address = ?", address) == 0) {
            throw new UserAdminException(address + " is not an alias");
        }
    }

    /** Every alias row, sorted by address then target. */
    public List<Alias> list() {
        List<Alias> aliases = db.read(c -> {
            List<Alias> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT address, target FROM mr_alias");
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    result.add(new Alias(rs.getString(1), rs.getString(2)));
                }
            }
            return result;
        });
        // Sorted here rather than by ORDER BY: PostgreSQL collations would order differently from Derby.
        aliases.sort(Comparator.comparing(Alias::address).thenComparing(Alias::target));
        return List.copyOf(aliases);
    }

    /**
     * The local users that mail to this address is delivered to: the user itself if it exists, else the alias
     * targets, else (for a subaddress {@code user+detail@domain}) the user or alias targets of
     * {@code user@domain}, else the domain's catch-all targets, else none (also for text that is not a hostable
     * address). The order is Postfix's with {@code recipient_delimiter = +}: an exact address always wins, and a
     * subaddress of a known address is that address's, not the catch-all's.
     */
    public Set<String> resolve(String address) {
        String name = AddressSyntax.addressOrNull(address);
        if (name == null) {
            return Set.of();
        }
        if (users.exists(name)) {
            return Set.of(name);
        }
        String base = withoutSubaddress(name);
        return db.read(c -> {
            Set<String> targets = targets(c, name);
            if (targets.isEmpty() && base != null) {
                targets = users.exists(base) ? Set.of(base) : targets(c, base);
            }
            return targets.isEmpty() ? targets(c, CATCH_ALL_PREFIX + AddressSyntax.domainOf(name)) : targets;
        });
    }

    /**
     * {@code user@domain} for {@code user+detail@domain} (the first {@code +}, not leading), else null: the one
     * definition of a subaddress, for delivery here and for the submission's sender check.
     */
    public static String withoutSubaddress(String normalisedAddress) {
        int at = normalisedAddress.lastIndexOf('@');
        int plus = normalisedAddress.indexOf('+');
        return plus > 0 && plus < at ? normalisedAddress.substring(0, plus) + normalisedAddress.substring(at) : null;
    }

    /**
     * The alias addresses that deliver to {@code user} (catch-alls excluded: they stand for every address of a
     * domain, not for the user), sorted; empty for an unknown user or text that is not an address. The sorter counts
     * them as the user's own addresses.
     */
    public Set<String> addressesOf(String user) {
        String target = AddressSyntax.addressOrNull(user);
        if (target == null) {
            return Set.of();
        }
        return db.read(c -> {
            try (PreparedStatement select = c.prepareStatement(
                "SELECT address FROM mr_alias WHERE target = ? AND address NOT LIKE '@%'")) {
                select.setString(1, target);
                Set<String> addresses = new TreeSet<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        addresses.add(rs.getString(1));
                    }
                }
                return Collections.unmodifiableSet(addresses);
            }
        });
    }

    /** Inside a caller's transaction: whether the normalised address is an alias. */
    static boolean isAlias(Connection c, String address) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM mr_alias WHERE address = ?")) {
            select.setString(1, address);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Set<String> targets(Connection c, String address) throws SQLException {
        // The join drops a target whose user vanished in a race with an alias addition, rather than deliver to nobody.
        try (PreparedStatement select = c.prepareStatement(
            "SELECT a.target FROM mr_alias a JOIN mr_user u ON u.username = a.target WHERE a.address = ?")) {
            select.setString(1, address);
            Set<String> targets = new TreeSet<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    targets.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableSet(targets);
        }
    }

    private int delete(String sql, String... parameters) {
        return db.read(c -> {
            try (PreparedStatement delete = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    delete.setString(i + 1, parameters[i]);
                }
                return delete.executeUpdate();
            }
        });
    }

    private static String normalisedAlias(String alias) {
        if (alias != null && alias.startsWith(CATCH_ALL_PREFIX)) {
            return CATCH_ALL_PREFIX + AddressSyntax.domain(alias.substring(CATCH_ALL_PREFIX.length()));
        }
        return AddressSyntax.address(alias);
    }
}
