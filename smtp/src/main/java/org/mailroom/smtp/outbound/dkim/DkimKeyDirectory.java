package org.mailroom.smtp.outbound.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The DKIM keys of the hosted domains, one PEM file per domain in a directory of the data directory
 * ({@code data/dkim/DOMAIN.SELECTOR.pem}, PKCS#8, readable by its owner only). The file is the whole state, so a
 * key made by the admin command while the server runs is used for the next message without a restart.
 *
 * <p>One key per domain: a second {@link #create} is refused, because signing with a new selector before its
 * record is in DNS would make every message fail verification. Rotating means removing the file and creating
 * a new key under a new selector, then publishing it.
 */
public final class DkimKeyDirectory {
    private static final Pattern DOMAIN = Pattern.compile(
        "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    private static final Pattern SELECTOR = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final String SUFFIX = ".pem";
    private static final int KEY_BITS = 2048;

    private final Path directory;

    public DkimKeyDirectory(Path directory) {
        this.directory = directory;
    }

    /** The directory the key files live in. */
    public Path directory() {
        return directory;
    }

    /**
     * Makes a 2048-bit RSA key for {@code domain} under {@code selector} and stores it owner-only.
     *
     * @throws DkimKeyException when the names are not valid DNS labels or the domain has a key already
     */
    public DkimKey create(String domain, String selector) {
        String d = normalizeDomain(domain);
        String s = selector.toLowerCase(Locale.ROOT);
        if (!SELECTOR.matcher(s).matches() || s.length() > 63) {
            throw new DkimKeyException("selector " + selector + " must be one DNS label (letters, digits, hyphens)");
        }
        Optional<DkimKey> existing = find(d);
        if (existing.isPresent()) {
            throw new DkimKeyException(d + " already has a DKIM key (selector " + existing.get().selector() + ", "
                + file(d, existing.get().selector()) + "); remove that file first to replace it");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_BITS);
            PrivateKey key = generator.generateKeyPair().getPrivate();
            createOwnerOnlyDirectory();
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
            // Created with its permissions, so the key is never readable by others, not even for a moment.
            Path file = Files.createFile(file(d, s),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            return new DkimKey(d, s, key);
        } catch (FileAlreadyExistsException e) {
            throw new DkimKeyException(e.getFile() + " exists already");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DkimKeyException("cannot store the DKIM key in " + directory + ": " + e.getMessage());
        }
    }

    /** The key of {@code domain}, if it has one. */
    public Optional<DkimKey> find(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        String prefix = d + ".";
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + "*" + SUFFIX)) {
            files.forEach(candidates::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the DKIM keys in " + directory, e);
        }
        for (Path file : candidates) {
            String name = file.getFileName().toString();
            String selector = name.substring(prefix.length(), name.length() - SUFFIX.length());
            // "a.example.org.s1.pem" also matches the prefix "example.org." of no domain; a selector has no dot.
            if (SELECTOR.matcher(selector).matches()) {
                return Optional.of(new DkimKey(d, selector, read(file)));
            }
        }
        return Optional.empty();
    }

    /** The file holding {@code domain}'s key under {@code selector}. */
    public Path file(String domain, String selector) {
        return directory.resolve(domain.toLowerCase(Locale.ROOT) + "." + selector.toLowerCase(Locale.ROOT) + SUFFIX);
    }

    private static String normalizeDomain(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (!DOMAIN.matcher(d).matches() || d.length() > 253) {
            throw new DkimKeyException("domain " + domain + " is not a domain name such as example.org");
        }
        return d;
    }

    private void createOwnerOnlyDirectory() throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static PrivateKey read(Path file) {
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException e) {
            throw new DkimKeyException("cannot read the DKIM key " + file + ": " + e.getMessage());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new DkimKeyException(file + " is not an RSA private key in PKCS#8 PEM (BEGIN PRIVATE KEY): "
                + e.getMessage());
        }
    }
}
