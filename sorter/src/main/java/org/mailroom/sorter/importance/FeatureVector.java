package org.mailroom.sorter.importance;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A sparse feature vector over hashed weight keys (each feature appears twice: once in the shared model, once in
 * the user's own copy), plus the starting model's log-odds for it ({@link StartingWeights}). Immutable; stored
 * with pending messages as bytes ({@link #toBytes()}).
 */
public final class FeatureVector {

    private final long[] keys;
    private final float[] values;
    private final float base;

    FeatureVector(long[] keys, float[] values, float base) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException("keys and values differ in length");
        }
        this.keys = keys;
        this.values = values;
        this.base = base;
    }

    /** The starting model's log-odds for this message, to which the learned weights add. */
    float base() {
        return base;
    }

    public int size() {
        return keys.length;
    }

    long key(int i) {
        return keys[i];
    }

    float value(int i) {
        return values[i];
    }

    long[] keysCopy() {
        return Arrays.copyOf(keys, keys.length);
    }

    /** The base as a float, then 12 bytes per entry: key then value, big-endian. */
    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(4 + keys.length * 12);
        buffer.putFloat(base);
        for (int i = 0; i < keys.length; i++) {
            buffer.putLong(keys[i]).putFloat(values[i]);
        }
        return buffer.array();
    }

    /** Reads what {@link #toBytes()} wrote; a truncated trailing entry is dropped. */
    public static FeatureVector fromBytes(byte[] bytes) {
        if (bytes.length < 4) {
            return new FeatureVector(new long[0], new float[0], 0f);
        }
        int n = (bytes.length - 4) / 12;
        long[] keys = new long[n];
        float[] values = new float[n];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        float base = buffer.getFloat();
        for (int i = 0; i < n; i++) {
            keys[i] = buffer.getLong();
            values[i] = buffer.getFloat();
        }
        return new FeatureVector(keys, values, base);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FeatureVector that && base == that.base && Arrays.equals(keys, that.keys) && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(keys) + Arrays.hashCode(values)) + Float.hashCode(base);
    }
}
