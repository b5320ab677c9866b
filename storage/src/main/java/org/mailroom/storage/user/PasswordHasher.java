package org.mailroom.storage.user;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and checks user passwords with PBKDF2-HMAC-SHA256, in a self-describing encoding
 * ({@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}) so the work factor can be raised later
 * while hashes written with an older count keep verifying.
 */
public final class PasswordHasher {
    static final String PREFIX = "pbkdf2-sha256";
    /** OWASP's 2021 floor for PBKDF2-HMAC-SHA256; below it a stolen hash is too cheap to brute-force. */
    static final int MIN_ITERATIONS = 210_000;
    // OWASP now recommends 600,000; 310,000 was its previous figure. Every IMAP login and SMTP AUTH pays this cost
    // on a core shared with mail traffic: on a 2-core dev VM one derivation took ~0.1-0.25 s at 310,000 and
    // ~0.25-0.35 s at 600,000, so a burst of logins (clients reconnecting after a restart) would stall a small
    // server at the higher figure. Raise it as hardware allows: old hashes keep verifying and are upgraded at login.
    private static final int DEFAULT_ITERATIONS = 310_000;
    // Refuse absurd counts read back from storage, so a damaged row cannot pin a CPU for minutes.
    private static final int MAX_ITERATIONS = 50_000_000;
    private static final int SALT_BYTES = 16;
    private static final int KEY_BYTES = 32;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private final String dummyHash;

    public PasswordHasher(int iterations) {
        this(iterations, MIN_ITERATIONS);
    }

    private PasswordHasher(int iterations, int floor) {
        if (iterations < floor) {
            throw new IllegalArgumentException("PBKDF2 needs at least " + floor + " iterations, was " + iterations);
        }
        this.iterations = iterations;
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        // An all-zero key never comes out of PBKDF2 in practice, so this hash costs a full derivation and never matches.
        this.dummyHash = encode(iterations, salt, new byte[KEY_BYTES]);
    }

    public static PasswordHasher defaults() {
        return new PasswordHasher(DEFAULT_ITERATIONS);
    }

    /**
     * A hasher below the production floor, for test fixtures whose subject is not the KDF: hundreds of logins at
     * full strength cost minutes of a CI run. No configuration key reaches it (the server and the admin commands
     * only ever use {@link #defaults()}); hashes it writes still verify with any hasher, as their count is stored.
     */
    public static PasswordHasher weakForTestsOnly(int iterations) {
        return new PasswordHasher(iterations, 1);
    }

    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return encode(iterations, salt, derive(password, salt, iterations, KEY_BYTES));
    }

    /** False for a wrong password and for anything that is not a well-formed hash; never throws. */
    public boolean matches(CharSequence password, String encoded) {
        if (password == null || password.length() == 0 || encoded == null) {
            return false;
        }
        Parsed parsed = Parsed.of(encoded);
        if (parsed == null) {
            return false;
        }
        char[] chars = toChars(password);
        try {
            byte[] actual = derive(chars, parsed.salt, parsed.iterations, parsed.hash.length);
            return MessageDigest.isEqual(actual, parsed.hash);
        } catch (RuntimeException e) {
            return false;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** True when the hash was made with fewer iterations than this hasher uses, so it should be replaced. */
    boolean isWeakerThanCurrent(String encoded) {
        Parsed parsed = Parsed.of(encoded);
        return parsed != null && parsed.iterations < iterations;
    }

    /** A hash with this hasher's cost that no password matches: checking it takes as long as a real check. */
    String dummyHash() {
        return dummyHash;
    }

    static char[] toChars(CharSequence password) {
        char[] chars = new char[password.length()];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = password.charAt(i);
        }
        return chars;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int keyBytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, keyBytes * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("cannot derive a key: " + e.getMessage(), e);
        } finally {
            spec.clearPassword();
        }
    }

    private static String encode(int iterations, byte[] salt, byte[] hash) {
        Base64.Encoder base64 = Base64.getEncoder();
        return PREFIX + '$' + iterations + '$' + base64.encodeToString(salt) + '$' + base64.encodeToString(hash);
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
        static Parsed of(String encoded) {
            String[] parts = encoded.split("\\$", -1);
            if (parts.length != 4 || !PREFIX.equals(parts[0])) {
                return null;
            }
            try {
                int iterations = Integer.parseInt(parts[1]);
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                byte[] hash = Base64.getDecoder().decode(parts[3]);
                if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length == 0 || hash.length < 16) {
                    return null;
                }
                return new Parsed(iterations, salt, hash);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
