package org.mailroom.storage.schema;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A statement checked out of {@link StatementCache}: it forwards every call to the open Derby or PostgreSQL
 * statement it holds, and its {@code close()} checks that statement back in instead of closing it. A plain class
 * rather than a {@link java.lang.reflect.Proxy}: an append makes about twenty calls on its statements, and the proxy
 * paid a reflective {@code Method.invoke} (with its argument array) and a method-name look-up for each, about 3 %
 * of the appending threads' CPU samples (bench/README.md). Everything below {@link #settingsChanged()} is
 * forwarding only.
 */
final class CachedStatement implements PreparedStatement {
    private final String sql;
    private final PreparedStatement statement;
    private final StatementCache.IdleStatements idle;
    private final Connection connection;
    private boolean closed;
    private boolean reusable = true;

    CachedStatement(String sql, PreparedStatement statement, StatementCache.IdleStatements idle, Connection connection) {
        this.sql = sql;
        this.statement = statement;
        this.idle = idle;
        this.connection = connection;
    }

    private PreparedStatement open() throws SQLException {
        if (closed) {
            throw new SQLException("Statement is closed");
        }
        return statement;
    }

    /** A statement whose settings (max rows, fetch size, time-out, ...) were changed is closed, not reused. */
    private void settingsChanged() {
        reusable = false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!reusable) {
            StatementCache.closeQuietly(statement);
            return;
        }
        try {
            // Release the parameters (a message's bytes) and any batch left by a failed executeBatch.
            statement.clearParameters();
            statement.clearBatch();
        } catch (SQLException e) {
            StatementCache.closeQuietly(statement);
            return;
        }
        idle.giveBack(sql, statement);
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || statement.isClosed();
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return statement.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return statement.isWrapperFor(type);
    }

    @Override
    public void addBatch() throws SQLException {
        open().addBatch();
    }

    @Override
    public void addBatch(String a0) throws SQLException {
        open().addBatch(a0);
    }

    @Override
    public void cancel() throws SQLException {
        open().cancel();
    }

    @Override
    public void clearBatch() throws SQLException {
        open().clearBatch();
    }

    @Override
    public void clearParameters() throws SQLException {
        open().clearParameters();
    }

    @Override
    public void clearWarnings() throws SQLException {
        open().clearWarnings();
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        settingsChanged();
        open().closeOnCompletion();
    }

    @Override
    public String enquoteIdentifier(String a0, boolean a1) throws SQLException {
        return open().enquoteIdentifier(a0, a1);
    }

    @Override
    public String enquoteLiteral(String a0) throws SQLException {
        return open().enquoteLiteral(a0);
    }

    @Override
    public String enquoteNCharLiteral(String a0) throws SQLException {
        return open().enquoteNCharLiteral(a0);
    }

    @Override
    public boolean execute() throws SQLException {
        return open().execute();
    }

    @Override
    public boolean execute(String a0, int[] a1) throws SQLException {
        return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0, String[] a1) throws SQLException {
        return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0, int a1) throws SQLException {
        return open().execute(a0, a1);
    }

    @Override
    public boolean execute(String a0) throws SQLException {
        return open().execute(a0);
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return open().executeBatch();
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return open().executeLargeBatch();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return open().executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate(String a0, int[] a1) throws SQLException {
        return open().executeLargeUpdate(a0, a1);
    }

    @Override
    public long executeLargeUpdate(String a0, String[] a1) throws SQLException {
        return open().executeLargeUpdate(a0, a1);
    }

    @Override
    public long executeLargeUpdate(String a0, int a1) throws SQLException {
        return open().executeLargeUpdate(a0, a1);
    }

    @Override
    public long executeLargeUpdate(String a0) throws SQLException {
        return open().executeLargeUpdate(a0);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return open().executeQuery();
    }

    @Override
    public ResultSet executeQuery(String a0) throws SQLException {
        return open().executeQuery(a0);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return open().executeUpdate();
    }

    @Override
    public int executeUpdate(String a0, int[] a1) throws SQLException {
        return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0, String[] a1) throws SQLException {
        return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0, int a1) throws SQLException {
        return open().executeUpdate(a0, a1);
    }

    @Override
    public int executeUpdate(String a0) throws SQLException {
        return open().executeUpdate(a0);
    }

    @Override
    public int getFetchDirection() throws SQLException {
        return open().getFetchDirection();
    }

    @Override
    public int getFetchSize() throws SQLException {
        return open().getFetchSize();
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return open().getGeneratedKeys();
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        return open().getLargeMaxRows();
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        return open().getLargeUpdateCount();
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        return open().getMaxFieldSize();
    }

    @Override
    public int getMaxRows() throws SQLException {
        return open().getMaxRows();
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return open().getMetaData();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return open().getMoreResults();
    }

    @Override
    public boolean getMoreResults(int a0) throws SQLException {
        return open().getMoreResults(a0);
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return open().getParameterMetaData();
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        return open().getQueryTimeout();
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return open().getResultSet();
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        return open().getResultSetConcurrency();
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        return open().getResultSetHoldability();
    }

    @Override
    public int getResultSetType() throws SQLException {
        return open().getResultSetType();
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return open().getUpdateCount();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return open().getWarnings();
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        return open().isCloseOnCompletion();
    }

    @Override
    public boolean isPoolable() throws SQLException {
        return open().isPoolable();
    }

    @Override
    public boolean isSimpleIdentifier(String a0) throws SQLException {
        return open().isSimpleIdentifier(a0);
    }

    @Override
    public void setArray(int a0, Array a1) throws SQLException {
        open().setArray(a0, a1);
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1, int a2) throws SQLException {
        open().setAsciiStream(a0, a1, a2);
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1, long a2) throws SQLException {
        open().setAsciiStream(a0, a1, a2);
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1) throws SQLException {
        open().setAsciiStream(a0, a1);
    }

    @Override
    public void setBigDecimal(int a0, BigDecimal a1) throws SQLException {
        open().setBigDecimal(a0, a1);
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1, int a2) throws SQLException {
        open().setBinaryStream(a0, a1, a2);
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1, long a2) throws SQLException {
        open().setBinaryStream(a0, a1, a2);
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1) throws SQLException {
        open().setBinaryStream(a0, a1);
    }

    @Override
    public void setBlob(int a0, InputStream a1, long a2) throws SQLException {
        open().setBlob(a0, a1, a2);
    }

    @Override
    public void setBlob(int a0, InputStream a1) throws SQLException {
        open().setBlob(a0, a1);
    }

    @Override
    public void setBlob(int a0, Blob a1) throws SQLException {
        open().setBlob(a0, a1);
    }

    @Override
    public void setBoolean(int a0, boolean a1) throws SQLException {
        open().setBoolean(a0, a1);
    }

    @Override
    public void setByte(int a0, byte a1) throws SQLException {
        open().setByte(a0, a1);
    }

    @Override
    public void setBytes(int a0, byte[] a1) throws SQLException {
        open().setBytes(a0, a1);
    }

    @Override
    public void setCharacterStream(int a0, Reader a1, int a2) throws SQLException {
        open().setCharacterStream(a0, a1, a2);
    }

    @Override
    public void setCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        open().setCharacterStream(a0, a1, a2);
    }

    @Override
    public void setCharacterStream(int a0, Reader a1) throws SQLException {
        open().setCharacterStream(a0, a1);
    }

    @Override
    public void setClob(int a0, Reader a1, long a2) throws SQLException {
        open().setClob(a0, a1, a2);
    }

    @Override
    public void setClob(int a0, Reader a1) throws SQLException {
        open().setClob(a0, a1);
    }

    @Override
    public void setClob(int a0, Clob a1) throws SQLException {
        open().setClob(a0, a1);
    }

    @Override
    public void setCursorName(String a0) throws SQLException {
        settingsChanged();
        open().setCursorName(a0);
    }

    @Override
    public void setDate(int a0, Date a1, Calendar a2) throws SQLException {
        open().setDate(a0, a1, a2);
    }

    @Override
    public void setDate(int a0, Date a1) throws SQLException {
        open().setDate(a0, a1);
    }

    @Override
    public void setDouble(int a0, double a1) throws SQLException {
        open().setDouble(a0, a1);
    }

    @Override
    public void setEscapeProcessing(boolean a0) throws SQLException {
        settingsChanged();
        open().setEscapeProcessing(a0);
    }

    @Override
    public void setFetchDirection(int a0) throws SQLException {
        settingsChanged();
        open().setFetchDirection(a0);
    }

    @Override
    public void setFetchSize(int a0) throws SQLException {
        settingsChanged();
        open().setFetchSize(a0);
    }

    @Override
    public void setFloat(int a0, float a1) throws SQLException {
        open().setFloat(a0, a1);
    }

    @Override
    public void setInt(int a0, int a1) throws SQLException {
        open().setInt(a0, a1);
    }

    @Override
    public void setLargeMaxRows(long a0) throws SQLException {
        settingsChanged();
        open().setLargeMaxRows(a0);
    }

    @Override
    public void setLong(int a0, long a1) throws SQLException {
        open().setLong(a0, a1);
    }

    @Override
    public void setMaxFieldSize(int a0) throws SQLException {
        settingsChanged();
        open().setMaxFieldSize(a0);
    }

    @Override
    public void setMaxRows(int a0) throws SQLException {
        settingsChanged();
        open().setMaxRows(a0);
    }

    @Override
    public void setNCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        open().setNCharacterStream(a0, a1, a2);
    }

    @Override
    public void setNCharacterStream(int a0, Reader a1) throws SQLException {
        open().setNCharacterStream(a0, a1);
    }

    @Override
    public void setNClob(int a0, Reader a1, long a2) throws SQLException {
        open().setNClob(a0, a1, a2);
    }

    @Override
    public void setNClob(int a0, Reader a1) throws SQLException {
        open().setNClob(a0, a1);
    }

    @Override
    public void setNClob(int a0, NClob a1) throws SQLException {
        open().setNClob(a0, a1);
    }

    @Override
    public void setNString(int a0, String a1) throws SQLException {
        open().setNString(a0, a1);
    }

    @Override
    public void setNull(int a0, int a1, String a2) throws SQLException {
        open().setNull(a0, a1, a2);
    }

    @Override
    public void setNull(int a0, int a1) throws SQLException {
        open().setNull(a0, a1);
    }

    @Override
    public void setObject(int a0, Object a1, int a2, int a3) throws SQLException {
        open().setObject(a0, a1, a2, a3);
    }

    @Override
    public void setObject(int a0, Object a1, int a2) throws SQLException {
        open().setObject(a0, a1, a2);
    }

    @Override
    public void setObject(int a0, Object a1, SQLType a2, int a3) throws SQLException {
        open().setObject(a0, a1, a2, a3);
    }

    @Override
    public void setObject(int a0, Object a1, SQLType a2) throws SQLException {
        open().setObject(a0, a1, a2);
    }

    @Override
    public void setObject(int a0, Object a1) throws SQLException {
        open().setObject(a0, a1);
    }

    @Override
    public void setPoolable(boolean a0) throws SQLException {
        settingsChanged();
        open().setPoolable(a0);
    }

    @Override
    public void setQueryTimeout(int a0) throws SQLException {
        settingsChanged();
        open().setQueryTimeout(a0);
    }

    @Override
    public void setRef(int a0, Ref a1) throws SQLException {
        open().setRef(a0, a1);
    }

    @Override
    public void setRowId(int a0, RowId a1) throws SQLException {
        open().setRowId(a0, a1);
    }

    @Override
    public void setSQLXML(int a0, SQLXML a1) throws SQLException {
        open().setSQLXML(a0, a1);
    }

    @Override
    public void setShort(int a0, short a1) throws SQLException {
        open().setShort(a0, a1);
    }

    @Override
    public void setString(int a0, String a1) throws SQLException {
        open().setString(a0, a1);
    }

    @Override
    public void setTime(int a0, Time a1, Calendar a2) throws SQLException {
        open().setTime(a0, a1, a2);
    }

    @Override
    public void setTime(int a0, Time a1) throws SQLException {
        open().setTime(a0, a1);
    }

    @Override
    public void setTimestamp(int a0, Timestamp a1, Calendar a2) throws SQLException {
        open().setTimestamp(a0, a1, a2);
    }

    @Override
    public void setTimestamp(int a0, Timestamp a1) throws SQLException {
        open().setTimestamp(a0, a1);
    }

    @Override
    public void setURL(int a0, URL a1) throws SQLException {
        open().setURL(a0, a1);
    }

    @Override
    @Deprecated
    public void setUnicodeStream(int a0, InputStream a1, int a2) throws SQLException {
        open().setUnicodeStream(a0, a1, a2);
    }
}
