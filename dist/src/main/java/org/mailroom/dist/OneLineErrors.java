package org.mailroom.dist;

import java.io.PrintWriter;
import java.util.stream.Collectors;

import org.mailroom.dist.config.ConfigException;
import org.mailroom.dist.control.ControlException;
import org.mailroom.dist.tls.TlsStartupException;
import org.mailroom.imap.ImapStartupException;
import org.mailroom.smtp.SmtpStartupException;
import org.mailroom.storage.schema.StorageStartupException;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every expected failure into one line on standard error and its {@link ExitCode}: people read these
 * lines, and scripts read the codes. Anything unexpected keeps picocli's stack trace, which a bug report needs.
 */
final class OneLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println(e.getMessage() + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        command.getErr().flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) throws Exception {
        int code;
        if (e instanceof ConfigException) {
            code = ExitCode.CONFIG;
        } else if (e instanceof StorageStartupException || e instanceof TlsStartupException
            || e instanceof ControlException) {
            code = ExitCode.STORE;
        } else if (e instanceof SmtpStartupException || e instanceof ImapStartupException
            || e instanceof ListenerStartupException) {
            code = ExitCode.LISTENER;
        } else if (e instanceof UserAdminException) {
            code = ExitCode.REFUSED;
        } else if (e instanceof UsageException) {
            code = ExitCode.USAGE;
        } else {
            throw e;
        }
        PrintWriter err = command.getErr();
        if (e instanceof ConfigException) {
            // Several problems are one line each, all of them, so that one edit can fix them all.
            err.println(e.getMessage());
        } else {
            // Messages that quote a library (Flyway, a JDBC driver) may span lines; the reader gets one.
            err.println(String.valueOf(e.getMessage()).lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.joining(" ")));
        }
        err.flush();
        return code;
    }
}
