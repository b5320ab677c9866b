package org.mailroom.sorter.spam;

/**
 * A set of longs with open addressing (no boxing): the distinct features of one message. Zero is stored aside
 * because it marks empty slots.
 */
final class LongSet {
    private static final int SCRATCH_EXPECTED = 4096;
    private static final ThreadLocal<LongSet> SCRATCH =
        ThreadLocal.withInitial(() -> new LongSet(SCRATCH_EXPECTED));
    private static final int HEADER_SCRATCH_EXPECTED = 512;
    private static final ThreadLocal<LongSet> HEADER_SCRATCH =
        ThreadLocal.withInitial(() -> new LongSet(HEADER_SCRATCH_EXPECTED));

    private long[] slots;
    private int size;
    private boolean hasZero;

    LongSet(int expected) {
        slots = new long[capacityFor(expected)];
    }

    private static int capacityFor(int expected) {
        return Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
    }

    /**
     * This thread's set, emptied: a message's feature set is turned into an array at once and never kept, and a
     * 64 KB table per message was two fifths of what sorting one allocated (each young collection is a pause
     * inside some message's classification). Not for nested use on one thread. A table that grew is replaced by a
     * fresh one of the first size: the order of {@link #toArray} depends on the table's size, and the model's sums
     * over a message's tokens are kept in exactly the order they had (floating-point sums depend on it).
     */
    static LongSet forThisThread() {
        return scratch(SCRATCH, SCRATCH_EXPECTED);
    }

    /** A second set of this thread's, for the header model's features, used beside {@link #forThisThread}. */
    static LongSet headersForThisThread() {
        return scratch(HEADER_SCRATCH, HEADER_SCRATCH_EXPECTED);
    }

    private static LongSet scratch(ThreadLocal<LongSet> scratch, int expected) {
        LongSet set = scratch.get();
        if (set.slots.length != capacityFor(expected)) {
            set = new LongSet(expected);
            scratch.set(set);
        } else if (set.size > 0 || set.hasZero) {
            java.util.Arrays.fill(set.slots, 0);
            set.size = 0;
            set.hasZero = false;
        }
        return set;
    }

    /** Adds the value; true when it was not present. */
    boolean add(long value) {
        if (value == 0) {
            if (hasZero) {
                return false;
            }
            hasZero = true;
            return true;
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        return insert(slots, value);
    }

    boolean contains(long value) {
        if (value == 0) {
            return hasZero;
        }
        int mask = slots.length - 1;
        for (int i = (int) (value ^ (value >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (slots[i] == value) {
                return true;
            }
            if (slots[i] == 0) {
                return false;
            }
        }
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    long[] toArray() {
        long[] out = new long[size()];
        int n = 0;
        for (long slot : slots) {
            if (slot != 0) {
                out[n++] = slot;
            }
        }
        if (hasZero) {
            out[n] = 0;
        }
        return out;
    }

    private boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        for (int i = (int) (value ^ (value >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (table[i] == value) {
                return false;
            }
            if (table[i] == 0) {
                table[i] = value;
                if (table == slots) {
                    size++;
                }
                return true;
            }
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long value : old) {
            if (value != 0) {
                insert(slots, value);
            }
        }
    }
}
