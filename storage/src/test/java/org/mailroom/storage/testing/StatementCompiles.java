package org.mailroom.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Counts Derby's statement compiles while it is open: each compile of a statement (a first prepare, or a recompile
 * of a plan marked stale or invalid, whoever runs it) defines a new generated class in {@code org.apache.derby.exe},
 * and the JVM's own flight recorder reports every class definition ({@code jdk.ClassDefine}) with the thread that
 * made it. Derby's statement cache tells which plans are valid, not when one was compiled again.
 */
public final class StatementCompiles implements AutoCloseable {
    private static final String GENERATED = "org.apache.derby.exe.";
    private final Recording recording = new Recording();

    /** One compile: the thread that ran it. */
    public record Compile(String className, String thread) {
    }

    private StatementCompiles() {
        recording.enable("jdk.ClassDefine").withoutStackTrace();
        recording.start();
    }

    public static StatementCompiles record() {
        return new StatementCompiles();
    }

    /** Stops recording and returns the compiles made since {@link #record()}, in order. */
    public List<Compile> stop() {
        recording.stop();
        try {
            Path file = Files.createTempFile("statement-compiles", ".jfr");
            try {
                recording.dump(file);
                List<Compile> compiles = new ArrayList<>();
                for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                    String name = event.getClass("definedClass").getName();
                    if (name.startsWith(GENERATED)) {
                        compiles.add(new Compile(name, event.getThread() == null ? "?" : event.getThread().getJavaName()));
                    }
                }
                return compiles;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        recording.close();
    }
}
