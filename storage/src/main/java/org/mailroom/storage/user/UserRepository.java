package org.mailroom.storage.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local users (login names are their full lower-case addresses, {@code local@domain}) and their password
 * hashes: adding, removing, re-keying and checking passwords.
 */
public final class UserRepository {
    private static final Logger LOG = LoggerFactory.getLogger(UserRepository.class);
    static final int MIN_PASSWORD_LENGTH = 8;

    private final Database db;
    private final DomainRepository domains;
    private final PasswordHasher hasher;
    private final VerifiedLoginCache verifiedLogins;

    public UserRepository(Database db, DomainRepository domains, PasswordHasher hasher) {
        this(db, domains, hasher, new VerifiedLoginCache());
    }

    UserRepository(Database db, DomainRepository domains, PasswordHasher hasher, VerifiedLoginCache verifiedLogins) {
        this.db = db;
        this.domains = domains;
        this.hasher = hasher;
        this.verifiedLogins = verifiedLogins;
    }

    /** Adds a user of a local domain; the caller keeps (and should clear) the password array. */
    public void add(String address, char[] password) {
        String name = AddressSyntax.address(address);
        String domain = AddressSyntax.domainOf(name);
        // Checked before hashing only to fail fast; the transaction below re-checks under a lock.
        if (!domains.contains(domain)) {
            throw DomainRepository.notLocal(domain);
        }
        String hash = hasher.hash(checkedPassword(name, password));
        db.transactionVoid(c -> {
            DomainRepository.lockIfLocal(c, domain);
            if (AliasRepository.isAlias(c, name)) {
                throw new UserAdminException(name + " is already an alias; remove the alias before adding the user");
            }
            try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO mr_user (username, password_hash, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                insert.setString(1, name);
                insert.setString(2, hash);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (db.dialect().isDuplicateKey(e)) {
                    throw new UserAdminException("user " + name + " already exists");
                }
                throw e;
            }
        });
    }

    /** Removes the user and every alias row pointing at it (an alias left with no target disappears). */
    public void remove(String address) {
        String name = AddressSyntax.address(address);
        db.transactionVoid(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM mr_user WHERE username = ?")) {
                delete.setString(1, name);
                if (delete.executeUpdate() == 0) {
                    throw unknownUser(name);
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM mr_alias WHERE target = ?")) {
                delete.setString(1, name);
                delete.executeUpdate();
            }
        });
        verifiedLogins.forget(name);
    }

    public void changePassword(String address, char[] password) {
        String name = AddressSyntax.address(address);
        String hash = hasher.hash(checkedPassword(name, password));
        int updated = db.read(c -> {
            try (PreparedStatement update = c.prepareStatement(
                "UPDATE mr_user SET password_hash = ? WHERE username = ?")) {
                update.setString(1, hash);
                update.setString(2, name);
                return update.executeUpdate();
            }
        });
        verifiedLogins.forget(name);
        if (updated == 0) {
            throw unknownUser(name);
        }
    }

    /** Every user, sorted. */
    public List<String> list() {
        return usernames("SELECT username FROM mr_user", null);
    }

    /** The users of one domain, sorted; empty if the domain is not hosted. */
    public List<String> list(String domain) {
        // Validated domain names hold no LIKE wildcards ('%', '_'), so no escaping is needed.
        return usernames("SELECT username FROM mr_user WHERE username LIKE ?", "%@" + AddressSyntax.domain(domain));
    }

    /** False for unknown users and for text that is not an address Mailroom could host. */
    public boolean exists(String address) {
        String name = AddressSyntax.addressOrNull(address);
        return name != null && db.read(c -> exists(c, name));
    }

    /**
     * Checks a login. An unknown user costs the same key derivation as a known one, so response times do not
     * reveal which users exist. A login that passed the full check within the last minutes, against the stored
     * hash read now, is answered from memory ({@link VerifiedLoginCache}); a wrong password always pays in full.
     */
    public boolean verify(String address, CharSequence password) {
        String name = AddressSyntax.addressOrNull(address);
        String stored = name == null ? null : db.read(c -> storedHash(c, name));
        if (stored == null) {
            hasher.matches(password, hasher.dummyHash());
            return false;
        }
        if (verifiedLogins.verified(name, password, stored)) {
            return true;
        }
        boolean matches = hasher.matches(password, stored);
        if (matches) {
            String current = hasher.isWeakerThanCurrent(stored) ? strengthen(name, password, stored) : stored;
            verifiedLogins.remember(name, password, current);
        }
        return matches;
    }

    /** Inside a caller's transaction: whether the normalised user exists. */
    static boolean exists(Connection c, String name) throws SQLException {
        return storedHash(c, name) != null;
    }

    /**
     * Inside a caller's transaction: checks the user exists and holds its row lock until commit, so a concurrent
     * {@link #remove} cannot leave an alias pointing at nobody.
     */
    static void lockIfExists(Connection c, String name) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(
            "UPDATE mr_user SET username = username WHERE username = ?")) {
            lock.setString(1, name);
            if (lock.executeUpdate() == 0) {
                throw unknownUser(name);
            }
        }
    }

    // The only moment the plain password is at hand to re-hash it: when the work factor has been raised since the
    // hash was written, the first good login upgrades it. A failure here must not turn a good login into a bad one.
    // Returns the hash the user has afterwards as far as this call knows (the old one when nothing was written).
    private String strengthen(String name, CharSequence password, String oldHash) {
        char[] chars = PasswordHasher.toChars(password);
        try {
            String newHash = hasher.hash(chars);
            int updated = db.read(c -> {
                // Compare-and-set, so a password changed meanwhile is not overwritten with the old one.
                try (PreparedStatement update = c.prepareStatement(
                    "UPDATE mr_user SET password_hash = ? WHERE username = ? AND password_hash = ?")) {
                    update.setString(1, newHash);
                    update.setString(2, name);
                    update.setString(3, oldHash);
                    return update.executeUpdate();
                }
            });
            return updated == 1 ? newHash : oldHash;
        } catch (StorageException e) {
            LOG.warn("Could not upgrade the password hash of {}: {}", name, e.getMessage());
            return oldHash;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static String storedHash(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT password_hash FROM mr_user WHERE username = ?")) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private List<String> usernames(String sql, String parameter) {
        List<String> names = db.read(c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(sql)) {
                if (parameter != null) {
                    select.setString(1, parameter);
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        result.add(rs.getString(1));
                    }
                }
            }
            return result;
        });
        // Sorted here rather than by ORDER BY: PostgreSQL collations would order differently from Derby.
        Collections.sort(names);
        return List.copyOf(names);
    }

    private static char[] checkedPassword(String name, char[] password) {
        if (password == null || password.length == 0) {
            throw new UserAdminException("a password is required for " + name);
        }
        if (password.length < MIN_PASSWORD_LENGTH) {
            throw new UserAdminException("the password for " + name + " must be at least " + MIN_PASSWORD_LENGTH
                + " characters long");
        }
        return password;
    }

    static UserAdminException unknownUser(String name) {
        return new UserAdminException("user " + name + " does not exist");
    }
}
