package org.mailroom.sorter.importance;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A sparse feature vector over hashed weight keys (each feature appears twice: once in the shared model, once in
 * the user's own copy). Immutable; stored with pending messages as bytes ({@link #toBytes()}).
 */
public final class FeatureVector {

    private final long[] keys;
    private final float[] values;

    FeatureVector(long[] keys, float[] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException("keys and values differ in length");
        }
        this.keys = keys;
        this.values = values;
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

    /** 12 bytes per entry: key then value, big-endian. */
    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(keys.length * 12);
        for (int i = 0; i < keys.length; i++) {
            buffer.putLong(keys[i]).putFloat(values[i]);
        }
        return buffer.array();
    }

    /** Reads what {@link #toBytes()} wrote; a truncated trailing entry is dropped. */
    public static FeatureVector fromBytes(byte[] bytes) {
        int n = bytes.length / 12;
        long[] keys = new long[n];
        float[] values = new float[n];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        for (int i = 0; i < n; i++) {
            keys[i] = buffer.getLong();
            values[i] = buffer.getFloat();
        }
        return new FeatureVector(keys, values);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FeatureVector that && Arrays.equals(keys, that.keys) && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(keys) + Arrays.hashCode(values);
    }
}
