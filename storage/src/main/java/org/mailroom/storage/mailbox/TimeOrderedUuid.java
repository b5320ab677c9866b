package org.mailroom.storage.mailbox;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Makes UUIDs in the version 7 layout of RFC 9562: 48 bits of Unix milliseconds, then 74 random bits (version and
 * variant bits as in version 4). Their text sorts by creation time, so a new message's id lands at the right end
 * of the {@code mr_message} primary key and of the membership index on {@code message_id}: with random (version 4)
 * ids every insert touched a random leaf page (B-tree page splits were 3 % of an append's CPU, and on a large
 * store each insert read a different page into the cache). Uniqueness across servers comes from the random bits,
 * as before; ids made in one millisecond need not be ordered among themselves.
 */
final class TimeOrderedUuid {
    /**
     * One generator per thread, and a DRBG rather than the platform default: {@link UUID#randomUUID()} shares one
     * generator, and Linux's default (NativePRNG) reads /dev/urandom under one lock for every instance.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(TimeOrderedUuid::newGenerator);

    private TimeOrderedUuid() {
    }

    static UUID next() {
        return at(System.currentTimeMillis(), RANDOM.get());
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    static UUID at(long epochMillis, SecureRandom random) {
        long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
