package org.mailroom.smtp.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;

/**
 * Asks one question at a time of the configured resolver, with a hard deadline: NOERROR and NXDOMAIN are answers
 * (NXDOMAIN = {@link Answer#nxdomain}), anything else (SERVFAIL, REFUSED, timeout, network error) is a
 * {@link DnsFailure}. The policies decide what a failure means (fail open, temperror).
 */
public final class DnsClient {

    /** The records of the asked type in the answer section (CNAMEs a recursive resolver followed are skipped). */
    public record Answer(boolean nxdomain, List<Record> records) {
        public boolean isEmpty() {
            return records.isEmpty();
        }
    }

    /** The question got no usable answer. */
    public static final class DnsFailure extends Exception {
        DnsFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Resolver resolver;
    private final Duration timeout;

    public DnsClient(Resolver resolver, Duration timeout) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public static DnsClient of(DnsSettings settings) {
        return new DnsClient(settings.resolver(), settings.timeout());
    }

    public Duration timeout() {
        return timeout;
    }

    /** Asks without waiting; the future fails with {@link DnsFailure} (also when {@link #timeout} passes). */
    public CompletableFuture<Answer> queryAsync(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        CompletableFuture<Answer> result = new CompletableFuture<>();
        CompletableFuture<Message> sent;
        try {
            sent = resolver.sendAsync(query).toCompletableFuture();
        } catch (RuntimeException e) {
            result.completeExceptionally(new DnsFailure(name + " " + org.xbill.DNS.Type.string(type) + ": " + e, e));
            return result;
        }
        sent.orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS).whenComplete((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
                String what = cause instanceof TimeoutException ? "timed out" : cause.toString();
                result.completeExceptionally(
                    new DnsFailure(name + " " + org.xbill.DNS.Type.string(type) + ": " + what, cause));
                return;
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                result.complete(new Answer(true, List.of()));
            } else if (rcode != Rcode.NOERROR) {
                result.completeExceptionally(new DnsFailure(
                    name + " " + org.xbill.DNS.Type.string(type) + ": " + Rcode.string(rcode), null));
            } else {
                result.complete(new Answer(false, response.getSection(Section.ANSWER).stream()
                    .filter(record -> record.getType() == type).toList()));
            }
        });
        return result;
    }

    /** Asks and waits at most {@link #timeout} (plus a little). */
    public Answer query(Name name, int type) throws DnsFailure {
        try {
            return queryAsync(name, type).get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DnsFailure failure) {
                throw failure;
            }
            throw new DnsFailure(name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new DnsFailure(name + ": timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsFailure(name + ": interrupted", e);
        }
    }
}
