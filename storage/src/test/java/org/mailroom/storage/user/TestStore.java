package org.mailroom.storage.user;

import java.nio.file.Path;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * A real store (Derby or PostgreSQL) with the user repositories wired as production does, with a weak KDF: these
 * suites test the repositories, not PBKDF2 (PasswordHasherTest does, at the production floor).
 */
final class TestStore implements AutoCloseable {
    static final PasswordHasher HASHER = PasswordHasher.weakForTestsOnly(1_000);

    final Database db;
    final DomainRepository domains;
    final UserRepository users;
    final AliasRepository aliases;
    final MailroomAuthenticator authenticator;

    private TestStore(Database db) {
        this.db = db;
        this.domains = new DomainRepository(db);
        this.users = new UserRepository(db, domains, HASHER);
        this.aliases = new AliasRepository(db, domains, users);
        this.authenticator = new MailroomAuthenticator(users);
    }

    /** Repositories over a database shared with other suites (never closed here). */
    static TestStore on(Database db) {
        return new TestStore(db);
    }

    /** Opens a private embedded Derby database; {@link #close()} closes it. */
    static TestStore open(Path dataDirectory) {
        return new TestStore(Database.open(DatabaseSettings.embedded(dataDirectory)));
    }

    /** Empties the user tables so test classes can share one database (opening Derby is the slow part). */
    void clear() {
        db.transactionVoid(c -> {
            c.createStatement().executeUpdate("DELETE FROM mr_alias");
            c.createStatement().executeUpdate("DELETE FROM mr_user");
            c.createStatement().executeUpdate("DELETE FROM mr_domain");
        });
    }

    static char[] pw(String password) {
        return password.toCharArray();
    }

    @Override
    public void close() {
        db.close();
    }
}
