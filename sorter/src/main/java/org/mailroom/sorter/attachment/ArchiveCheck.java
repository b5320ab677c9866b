package org.mailroom.sorter.attachment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Looks inside a zip attachment without trusting it: walks the entries (and zips inside zips, to a depth limit)
 * while counting the bytes it inflates, and stops at the first limit. A zip bomb (far more inflated bytes than
 * stored, too many entries, archives nested too deep) is reported, never expanded.
 */
final class ArchiveCheck {

    /** What was found: entry names (for executables inside), and why the walk stopped early, if it did. */
    record Result(List<String> entryNames, Optional<String> problem) {
    }

    private final long maxInflatedBytes;
    private final int maxEntries;
    private final int maxDepth;
    private final double maxRatio;

    ArchiveCheck(long maxInflatedBytes, int maxEntries, int maxDepth, double maxRatio) {
        this.maxInflatedBytes = maxInflatedBytes;
        this.maxEntries = maxEntries;
        this.maxDepth = maxDepth;
        this.maxRatio = maxRatio;
    }

    Result check(byte[] zip) {
        Walk walk = new Walk(zip.length);
        try {
            walk.archive(new ByteArrayInputStream(zip), 1);
        } catch (LimitReached stop) {
            return new Result(walk.names, Optional.of(stop.getMessage()));
        } catch (LimitInEntry stop) {
            return new Result(walk.names, Optional.of(stop.getMessage()));
        } catch (IOException | RuntimeException broken) {
            return new Result(walk.names, Optional.of("broken zip archive: " + broken.getClass().getSimpleName()));
        }
        return new Result(walk.names, Optional.empty());
    }

    private static final class LimitReached extends Exception {
        LimitReached(String message) {
            super(message, null, false, false);
        }
    }

    private final class Walk {
        final List<String> names = new ArrayList<>();
        final long stored;
        long inflated;
        int entries;

        Walk(long stored) {
            this.stored = Math.max(stored, 1);
        }

        void archive(InputStream in, int depth) throws IOException, LimitReached {
            if (depth > maxDepth) {
                throw new LimitReached("zip bomb: archives nested deeper than " + maxDepth);
            }
            ZipInputStream zip = new ZipInputStream(in);
            byte[] buffer = new byte[8192];
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw new LimitReached("zip bomb: more than " + maxEntries + " entries");
                }
                String name = entry.getName();
                names.add(name);
                if (name.toLowerCase(Locale.ROOT).endsWith(".zip")) {
                    archive(new BoundedEntry(zip, this), depth + 1);
                    continue;
                }
                int read;
                while ((read = zip.read(buffer)) > 0) {
                    count(read);
                }
            }
        }

        void count(int read) throws LimitReached {
            inflated += read;
            if (inflated > maxInflatedBytes && inflated / (double) stored > maxRatio) {
                throw new LimitReached("zip bomb: inflates to more than " + inflated / stored
                    + " times its size");
            }
            if (inflated > maxInflatedBytes * 8) {
                throw new LimitReached("archive inflates to more than " + maxInflatedBytes * 8 + " bytes");
            }
        }
    }

    /** An entry's bytes as a stream that counts toward the walk's inflation limit. */
    private static final class BoundedEntry extends InputStream {
        private final InputStream in;
        private final Walk walk;

        BoundedEntry(InputStream in, Walk walk) {
            this.in = in;
            this.walk = walk;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int read = in.read(b, off, len);
            if (read > 0) {
                try {
                    walk.count(read);
                } catch (LimitReached stop) {
                    throw new LimitInEntry(stop);
                }
            }
            return read;
        }

        @Override
        public void close() {
            // The outer ZipInputStream owns the stream.
        }
    }

    /** Carries a limit out of an InputStream read. */
    private static final class LimitInEntry extends IOException {
        LimitInEntry(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }
}
