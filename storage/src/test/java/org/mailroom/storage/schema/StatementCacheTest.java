package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the cache promises the SQL code that runs through it: reuse after close, never sharing, clean reuse. */
class StatementCacheTest {
    private static final String SELECT = "SELECT v FROM t WHERE k = ?";

    private final StatementCache cache = new StatementCache();
    private Connection physical;

    @BeforeEach
    void open() throws SQLException {
        physical = DriverManager.getConnection("jdbc:derby:memory:statement-cache-test;create=true");
        try (Statement s = physical.createStatement()) {
            s.executeUpdate("CREATE TABLE t (k INT PRIMARY KEY, v VARCHAR(10))");
            s.executeUpdate("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
        }
    }

    @AfterEach
    void drop() throws SQLException {
        try (Statement s = physical.createStatement()) {
            s.executeUpdate("DROP TABLE t");
        }
        physical.close();
    }

    private static PreparedStatement underlying(PreparedStatement statement) throws SQLException {
        return statement.unwrap(PreparedStatement.class);
    }

    @Test
    void aClosedStatementIsHandedOutAgainForTheSameSql() throws SQLException {
        Connection connection = cache.wrap(physical);
        PreparedStatement first = connection.prepareStatement(SELECT);
        PreparedStatement reused = underlying(first);
        first.close();
        assertThat(first.isClosed()).isTrue();
        assertThatThrownBy(() -> first.setInt(1, 1)).isInstanceOf(SQLException.class);

        PreparedStatement second = cache.wrap(physical).prepareStatement(SELECT);
        assertThat(underlying(second)).isSameAs(reused);
        second.setInt(1, 2);
        try (ResultSet rs = second.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("two");
        }
        second.close();
    }

    @Test
    void aStatementInUseIsNeverSharedAndItsParametersDoNotLeakIntoTheNextUse() throws SQLException {
        Connection connection = cache.wrap(physical);
        PreparedStatement outer = connection.prepareStatement(SELECT);
        outer.setInt(1, 1);
        PreparedStatement inner = connection.prepareStatement(SELECT);
        assertThat(underlying(inner)).isNotSameAs(underlying(outer));
        inner.close();
        outer.close();

        PreparedStatement again = connection.prepareStatement(SELECT);
        assertThatThrownBy(again::executeQuery).as("the parameter set before the check-in is cleared")
            .isInstanceOf(SQLException.class);
        again.close();
    }

    @Test
    void aStatementWhoseSettingsChangedIsClosedNotReused() throws SQLException {
        Connection connection = cache.wrap(physical);
        PreparedStatement limited = connection.prepareStatement(SELECT);
        limited.setMaxRows(1);
        PreparedStatement changed = underlying(limited);
        limited.close();
        assertThat(changed.isClosed()).isTrue();

        PreparedStatement fresh = connection.prepareStatement(SELECT);
        assertThat(underlying(fresh)).isNotSameAs(changed);
        assertThat(fresh.getMaxRows()).isZero();
        fresh.close();
    }

    @Test
    void closingTwiceChecksTheStatementInOnceAndItKnowsTheConnectionItCameFrom() throws SQLException {
        Connection connection = cache.wrap(physical);
        PreparedStatement statement = connection.prepareStatement(SELECT);
        assertThat(statement.getConnection()).isSameAs(connection);
        statement.close();
        statement.close();

        PreparedStatement first = connection.prepareStatement(SELECT);
        PreparedStatement second = connection.prepareStatement(SELECT);
        assertThat(underlying(second)).as("one idle statement, handed out once").isNotSameAs(underlying(first));
        second.setInt(1, 1);
        try (ResultSet rs = second.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("one");
        }
        first.close();
        second.close();
    }

    @Test
    void everyOtherCallReachesThePooledConnectionAndOnlyThePlainPrepareIsCached() throws SQLException {
        Connection connection = cache.wrap(physical);
        connection.setAutoCommit(false);
        assertThat(physical.getAutoCommit()).isFalse();
        try (Statement insert = connection.createStatement()) {
            insert.executeUpdate("INSERT INTO t VALUES (3, 'three')");
        }
        connection.rollback();
        connection.setAutoCommit(true);
        assertThat(physical.getAutoCommit()).isTrue();
        try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM t");
             ResultSet rs = count.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("the rollback went to the connection underneath").isEqualTo(2);
        }

        PreparedStatement withKeys = connection.prepareStatement(SELECT, Statement.NO_GENERATED_KEYS);
        assertThat(withKeys).as("only prepareStatement(String) is cached").isNotInstanceOf(CachedStatement.class);
        withKeys.close();
        assertThat(connection.unwrap(Connection.class)).isSameAs(physical.unwrap(Connection.class));

        Connection other = DriverManager.getConnection("jdbc:derby:memory:statement-cache-test");
        cache.wrap(other).close();
        assertThat(other.isClosed()).as("closing the wrapper closes (returns) the pooled connection").isTrue();
    }
}
