package org.mailroom.dist;

/** The exit codes of the {@code mailroom} command, so that scripts can tell a refusal from a broken setup. */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** The store refused the operation (for example, the user already exists). */
    public static final int REFUSED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The configuration file is missing or invalid. */
    public static final int CONFIG = 3;
    /** The store cannot be opened (data directory unusable, database locked or corrupt), or the self-signed TLS
     * certificate cannot be stored in the data directory. */
    public static final int STORE = 4;
    /** A listener (SMTP, submission, IMAP, HTTP) cannot open its port: in use by another program, or the address
     * is not this machine's. */
    public static final int LISTENER = 5;

    private ExitCode() {
    }
}
