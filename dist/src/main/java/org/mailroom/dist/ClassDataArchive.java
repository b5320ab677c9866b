package org.mailroom.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The class data sharing (AppCDS) archive the launcher asked this server to write at its orderly stop, so that the
 * next start maps the classes this one loaded instead of loading, parsing and verifying them again.
 *
 * <p>The launcher ({@code bin/class-data-sharing.sh}) names the file in {@value #ENVIRONMENT} and starts the JVM
 * with {@code -XX:+RecordDynamicDumpInfo} when no archive exists for the installed jars and JDK. The dump is the
 * JVM's own ({@code jcmd VM.cds dynamic_dump}, through the platform's DiagnosticCommand MBean) and holds exactly
 * the classes this run loaded: the server's own start-up, the traffic it served, its shutdown; no training load.
 * It is written only after every part has stopped cleanly (a server that failed to start writes nothing), into a
 * temporary file that is forced to disk and then renamed over the final name: the JVM crashes on a truncated archive
 * (SIGBUS while mapping it), so a half-written file must never carry the name the launcher looks for. Archives of
 * other jar sets or JDKs in the same folder are deleted (the launcher never picks them again), and so are partial
 * files a killed stop left behind.
 */
final class ClassDataArchive {
    /** Environment variable through which the launcher asks for an archive, holding its path. */
    static final String ENVIRONMENT = "MAILROOM_CDS_DUMP";
    private static final String DUMP_ENABLED_FLAG = "RecordDynamicDumpInfo";

    private final Path target;

    private ClassDataArchive(Path target) {
        this.target = target.toAbsolutePath();
    }

    /** The archive to write, if the launcher asked for one and started the JVM able to write it. */
    static Optional<ClassDataArchive> requested(Map<String, String> environment) {
        String path = environment.get(ENVIRONMENT);
        if (path == null || path.isBlank() || !dumpEnabled()) {
            return Optional.empty();
        }
        return Optional.of(new ClassDataArchive(Path.of(path)));
    }

    /**
     * Writes the archive; never throws: without an archive the next start is only slower, so a failure is reported
     * on {@code out} and the stop goes on.
     */
    void write(PrintWriter out) {
        long started = System.nanoTime();
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            dump(partial);
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ)) {
                channel.force(true);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            deleteOtherArchives();
            out.printf("  written    class data archive %s for the next start (%d ms)%n", target,
                (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | JMException | RuntimeException e) {
            out.println("  skipped    class data archive " + target + ": " + e.getMessage());
        } finally {
            deleteQuietly(partial);
        }
        out.flush();
    }

    private static void dump(Path file) throws JMException, IOException {
        ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
            "vmCds", new Object[] {new String[] {"dynamic_dump", file.toString()}},
            new String[] {String[].class.getName()});
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            throw new IOException("the JVM wrote no archive");
        }
    }

    private void deleteOtherArchives() throws IOException {
        try (DirectoryStream<Path> archives = Files.newDirectoryStream(target.getParent(), "mailroom-*.jsa*")) {
            for (Path archive : archives) {
                if (!archive.getFileName().equals(target.getFileName())) {
                    deleteQuietly(archive);
                }
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover file is harmless: the launcher only ever maps the name of the current jars and JDK
        }
    }

    private static boolean dumpEnabled() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+" + DUMP_ENABLED_FLAG);
    }
}
