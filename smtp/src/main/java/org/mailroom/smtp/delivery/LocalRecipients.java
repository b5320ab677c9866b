package org.mailroom.smtp.delivery;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.UserRepository;

/**
 * Answers which local users receive mail sent to an address in a hosted domain: the user, alias or catch-all targets
 * from storage, and for {@code postmaster@} every hosted domain (RFC 5321 4.5.1) a mailbox that always exists.
 *
 * <p>Postmaster, in order: an explicit {@code postmaster@domain} user or alias (the administrator's choice wins);
 * else the configured postmaster user; else the alphabetically first user of that domain. Only a domain with no
 * users at all and no configured postmaster has no postmaster — then the address is refused like any unknown one,
 * because accepting mail nobody can read would be worse. {@code RCPT TO:<postmaster>} without a domain (which RFC
 * 5321 requires servers to accept; James completes it to {@code postmaster@localhost}) and {@code postmaster@} the
 * server's own host name go to the configured postmaster, else the first user of the first hosted domain.
 *
 * <p>Answers can be kept in memory for a while ({@link #LocalRecipients(DomainRepository, UserRepository,
 * AliasRepository, Optional, String, Duration)}): every RCPT asks, and the directory changes only through admin
 * commands, which call {@link #forgetAll} when they are done (a change made by another server sharing the database
 * is seen within {@code cacheFor}).
 */
public final class LocalRecipients {

    private final DomainRepository domains;
    private final UserRepository users;
    private final AliasRepository aliases;
    private final Optional<String> postmaster;
    private final String serverHostname;
    /** Most addresses and domains remembered (each a few hundred bytes; unknown addresses included). */
    private static final int CACHED_ANSWERS = 10_000;
    /** Null when answers are not kept. */
    private final Cache<String, Set<String>> resolved;
    private final Cache<String, Boolean> localDomains;

    /** Asks the repositories every time. */
    public LocalRecipients(DomainRepository domains, UserRepository users, AliasRepository aliases,
                           Optional<String> postmaster, String serverHostname) {
        this(domains, users, aliases, postmaster, serverHostname, Duration.ZERO);
    }

    /** Keeps answers (known and unknown addresses, hosted or not) for {@code cacheFor} or until {@link #forgetAll}. */
    public LocalRecipients(DomainRepository domains, UserRepository users, AliasRepository aliases,
                           Optional<String> postmaster, String serverHostname, Duration cacheFor) {
        boolean cached = !cacheFor.isZero() && !cacheFor.isNegative();
        this.resolved = cached ? Caffeine.newBuilder().maximumSize(CACHED_ANSWERS).expireAfterWrite(cacheFor).build()
            : null;
        this.localDomains = cached ? Caffeine.newBuilder().maximumSize(CACHED_ANSWERS).expireAfterWrite(cacheFor)
            .build() : null;
        this.serverHostname = normalisedDomain(Objects.requireNonNull(serverHostname, "serverHostname"));
        this.domains = Objects.requireNonNull(domains, "domains");
        this.users = Objects.requireNonNull(users, "users");
        this.aliases = Objects.requireNonNull(aliases, "aliases");
        this.postmaster = Objects.requireNonNull(postmaster, "postmaster");
    }

    /** Whether Mailroom hosts this domain (already normalised: lower case, no trailing dot). */
    public boolean isLocalDomain(String domain) {
        String normalised = normalisedDomain(domain);
        return localDomains == null ? domains.contains(normalised)
            : localDomains.get(normalised, domains::contains);
    }

    /**
     * Drops every remembered answer: called after each admin command that may have changed domains, users or
     * aliases, so the next RCPT sees the change at once.
     */
    public void forgetAll() {
        if (resolved != null) {
            resolved.invalidateAll();
            localDomains.invalidateAll();
        }
    }

    /** Whether this is {@code postmaster} of the server itself rather than of a hosted domain. */
    public boolean isServerPostmaster(String localPart, String domain) {
        String host = normalisedDomain(domain);
        return isPostmaster(localPart) && (host.equals("localhost") || host.equals(serverHostname));
    }

    private static boolean isPostmaster(String localPart) {
        return localPart.toLowerCase(Locale.ROOT).equals("postmaster");
    }

    /** Lower case without trailing dots: {@code Example.TEST.} and {@code example.test} are one domain. */
    public static String normalisedDomain(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        while (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        return lower;
    }

    /** The local users that receive mail for {@code localPart@domain}; empty when nobody does. */
    public Set<String> resolve(String localPart, String anyDomain) {
        String domain = normalisedDomain(anyDomain);
        if (resolved == null) {
            return lookUp(localPart, domain);
        }
        return resolved.get(localPart + "@" + domain, address -> Set.copyOf(lookUp(localPart, domain)));
    }

    private Set<String> lookUp(String localPart, String domain) {
        if (isServerPostmaster(localPart, domain)) {
            return configuredPostmaster().or(() -> domains.list().stream().sorted()
                    .flatMap(hosted -> users.list(hosted).stream().sorted().limit(1)).findFirst())
                .map(Set::of).orElse(Set.of());
        }
        Set<String> targets = aliases.resolve(localPart + "@" + domain);
        if (!targets.isEmpty() || !isPostmaster(localPart) || !isLocalDomain(domain)) {
            return targets;
        }
        return configuredPostmaster().or(() -> users.list(domain).stream().sorted().findFirst())
            .map(Set::of).orElse(Set.of());
    }

    private Optional<String> configuredPostmaster() {
        return postmaster.filter(users::exists).map(user -> user.toLowerCase(Locale.ROOT));
    }
}
