package org.mailroom.dist.admin;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.mailroom.dist.UsageException;
import org.mailroom.storage.user.UserAdminException;

/**
 * Reads a new password from standard input or a terminal prompt. Never from the command line: arguments are
 * visible to every user of the machine (ps, /proc) and end up in shell history.
 */
public final class PasswordInput {
    private final InputStream stdin;
    private final Console console;

    public PasswordInput(InputStream stdin, Console console) {
        this.stdin = stdin;
        this.console = console;
    }

    /** The password, which the caller wipes once used; {@code fromStdin} reads the first line of standard input. */
    public char[] read(boolean fromStdin, String address) {
        char[] password = fromStdin ? firstLineOfStdin() : prompt(address);
        if (password.length == 0) {
            throw new UserAdminException("the password is empty");
        }
        return password;
    }

    private char[] prompt(String address) {
        if (console == null) {
            throw new UsageException("there is no terminal to ask for the password: pipe it in with --password-stdin");
        }
        char[] first = console.readPassword("New password for %s: ", address);
        char[] second = first == null ? null : console.readPassword("Type it again: ");
        if (first == null || second == null) {
            throw new UsageException("no password was typed");
        }
        boolean same = Arrays.equals(first, second);
        Arrays.fill(second, '\0');
        if (!same) {
            Arrays.fill(first, '\0');
            throw new UserAdminException("the two passwords differ; nothing was changed");
        }
        return first;
    }

    // Reads char by char, without a String or a buffer that would keep the password around.
    private char[] firstLineOfStdin() {
        char[] buffer = new char[64];
        int length = 0;
        try {
            Reader reader = new InputStreamReader(stdin, StandardCharsets.UTF_8);
            for (int c = reader.read(); c != -1 && c != '\n'; c = reader.read()) {
                if (length == buffer.length) {
                    char[] larger = Arrays.copyOf(buffer, buffer.length * 2);
                    Arrays.fill(buffer, '\0');
                    buffer = larger;
                }
                buffer[length++] = (char) c;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the password from standard input", e);
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        char[] password = Arrays.copyOf(buffer, length);
        Arrays.fill(buffer, '\0');
        return password;
    }
}
