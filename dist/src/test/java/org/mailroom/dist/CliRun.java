package org.mailroom.dist;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real {@code mailroom} command tree in-process and keeps what it printed, for the CLI tests. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(Path installRoot, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // The start-up warm-up would run before every in-process start; StartUpWarmUpTest is where it is tested.
        Launch launch = new Launch(installRoot, Map.of(StartUpWarmUp.ENVIRONMENT, "off"),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null, installRoot);
        int code = Main.commandLine(launch, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Standard error as lines, to check that an error is exactly one line. */
    public String[] errLines() {
        return err.lines().toArray(String[]::new);
    }
}
