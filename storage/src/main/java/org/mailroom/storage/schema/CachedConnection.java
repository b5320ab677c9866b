package org.mailroom.storage.schema;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The pooled connection as the work given to {@link Database#read} and {@link Database#transaction} sees it:
 * {@code prepareStatement(String)} checks a statement out of {@link StatementCache} (preparing one on the physical
 * connection when none is idle), every other call goes to the pooled connection (so closing it returns it to the
 * pool). A plain class rather than a {@link java.lang.reflect.Proxy}, for the JIT's sake as much as for the calls
 * (bench/README.md, h-smtpjit): every method of a proxy ran through one shared {@code InvocationHandler.invoke}, whose
 * type profile mixed all of them, so the C2 compile of the proxy's {@code prepareStatement} inlined the reflective
 * {@code Method.invoke} path of the other methods too (about 4.8 KB of bytecode, 36 KB of machine code: the largest
 * compile of an SMTP load after 5,000 messages), and each forwarded method got a generated reflection accessor class
 * of its own. Here each call site is monomorphic and small.
 */
final class CachedConnection implements Connection {
    private final Connection pooled;
    private final Connection physical;
    private final StatementCache.IdleStatements idle;

    CachedConnection(Connection pooled, Connection physical, StatementCache.IdleStatements idle) {
        this.pooled = pooled;
        this.physical = physical;
        this.idle = idle;
    }

    /** The one call this class exists for: the statement comes from the cache, and goes back to it on close. */
    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        PreparedStatement statement = idle.take(sql);
        if (statement == null) {
            statement = physical.prepareStatement(sql);
        }
        return new CachedStatement(sql, statement, idle, this);
    }

    // Everything below forwards to the pooled connection.

    @Override
    public Statement createStatement() throws SQLException {
        return pooled.createStatement();
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return pooled.prepareCall(sql);
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return pooled.nativeSQL(sql);
    }

    @Override
    public void setAutoCommit(boolean flag) throws SQLException {
        pooled.setAutoCommit(flag);
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return pooled.getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        pooled.commit();
    }

    @Override
    public void rollback() throws SQLException {
        pooled.rollback();
    }

    @Override
    public void close() throws SQLException {
        pooled.close();
    }

    @Override
    public boolean isClosed() throws SQLException {
        return pooled.isClosed();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return pooled.getMetaData();
    }

    @Override
    public void setReadOnly(boolean flag) throws SQLException {
        pooled.setReadOnly(flag);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return pooled.isReadOnly();
    }

    @Override
    public void setCatalog(String text) throws SQLException {
        pooled.setCatalog(text);
    }

    @Override
    public String getCatalog() throws SQLException {
        return pooled.getCatalog();
    }

    @Override
    public void setTransactionIsolation(int value) throws SQLException {
        pooled.setTransactionIsolation(value);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return pooled.getTransactionIsolation();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return pooled.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        pooled.clearWarnings();
    }

    @Override
    public Statement createStatement(int value, int value2) throws SQLException {
        return pooled.createStatement(value, value2);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int value, int value2) throws SQLException {
        return pooled.prepareStatement(sql, value, value2);
    }

    @Override
    public CallableStatement prepareCall(String sql, int value, int value2) throws SQLException {
        return pooled.prepareCall(sql, value, value2);
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        return pooled.getTypeMap();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> typeMap) throws SQLException {
        pooled.setTypeMap(typeMap);
    }

    @Override
    public void setHoldability(int value) throws SQLException {
        pooled.setHoldability(value);
    }

    @Override
    public int getHoldability() throws SQLException {
        return pooled.getHoldability();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return pooled.setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String text) throws SQLException {
        return pooled.setSavepoint(text);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        pooled.rollback(savepoint);
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        pooled.releaseSavepoint(savepoint);
    }

    @Override
    public Statement createStatement(int value, int value2, int value3) throws SQLException {
        return pooled.createStatement(value, value2, value3);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int value, int value2, int value3) throws SQLException {
        return pooled.prepareStatement(sql, value, value2, value3);
    }

    @Override
    public CallableStatement prepareCall(String sql, int value, int value2, int value3) throws SQLException {
        return pooled.prepareCall(sql, value, value2, value3);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int value) throws SQLException {
        return pooled.prepareStatement(sql, value);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return pooled.prepareStatement(sql, columnIndexes);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return pooled.prepareStatement(sql, columnNames);
    }

    @Override
    public Clob createClob() throws SQLException {
        return pooled.createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return pooled.createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return pooled.createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return pooled.createSQLXML();
    }

    @Override
    public boolean isValid(int value) throws SQLException {
        return pooled.isValid(value);
    }

    @Override
    public void setClientInfo(String text, String text2) throws SQLClientInfoException {
        pooled.setClientInfo(text, text2);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        pooled.setClientInfo(properties);
    }

    @Override
    public String getClientInfo(String text) throws SQLException {
        return pooled.getClientInfo(text);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        return pooled.getClientInfo();
    }

    @Override
    public Array createArrayOf(String text, Object[] elements) throws SQLException {
        return pooled.createArrayOf(text, elements);
    }

    @Override
    public Struct createStruct(String text, Object[] elements) throws SQLException {
        return pooled.createStruct(text, elements);
    }

    @Override
    public void setSchema(String text) throws SQLException {
        pooled.setSchema(text);
    }

    @Override
    public String getSchema() throws SQLException {
        return pooled.getSchema();
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        pooled.abort(executor);
    }

    @Override
    public void setNetworkTimeout(Executor executor, int value) throws SQLException {
        pooled.setNetworkTimeout(executor, value);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return pooled.getNetworkTimeout();
    }

    @Override
    public void beginRequest() throws SQLException {
        pooled.beginRequest();
    }

    @Override
    public void endRequest() throws SQLException {
        pooled.endRequest();
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey key, ShardingKey key2, int value) throws SQLException {
        return pooled.setShardingKeyIfValid(key, key2, value);
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey key, int value) throws SQLException {
        return pooled.setShardingKeyIfValid(key, value);
    }

    @Override
    public void setShardingKey(ShardingKey key, ShardingKey key2) throws SQLException {
        pooled.setShardingKey(key, key2);
    }

    @Override
    public void setShardingKey(ShardingKey key) throws SQLException {
        pooled.setShardingKey(key);
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return pooled.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return pooled.isWrapperFor(type);
    }
}
