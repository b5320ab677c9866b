package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;
import org.mailroom.storage.schema.Database;

/** The IMAP subscriptions (LSUB) of each user, kept in {@code mr_subscription}. */
public final class JdbcSubscriptionMapper implements SubscriptionMapper {
    private final Database db;

    public JdbcSubscriptionMapper(Database db) {
        this.db = db;
    }

    @Override
    public void save(Subscription subscription) {
        db.read(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO mr_subscription (username, mailbox) VALUES (?, ?)")) {
                insert.setString(1, subscription.getUser().asString());
                insert.setString(2, subscription.getMailbox());
                return insert.executeUpdate();
            } catch (SQLException e) {
                // Already subscribed: SUBSCRIBE is idempotent. A lone auto-commit insert leaves no
                // transaction behind to abort, so swallowing the duplicate is safe on PostgreSQL too.
                if (db.dialect().isDuplicateKey(e)) {
                    return 0;
                }
                throw e;
            }
        });
    }

    @Override
    public List<Subscription> findSubscriptionsForUser(Username user) {
        return db.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT mailbox FROM mr_subscription WHERE username = ?")) {
                select.setString(1, user.asString());
                List<Subscription> subscriptions = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        subscriptions.add(new Subscription(user, rs.getString(1)));
                    }
                }
                return subscriptions;
            }
        });
    }

    @Override
    public void delete(Subscription subscription) {
        db.read(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM mr_subscription WHERE username = ? AND mailbox = ?")) {
                delete.setString(1, subscription.getUser().asString());
                delete.setString(2, subscription.getMailbox());
                return delete.executeUpdate();
            }
        });
    }
}
