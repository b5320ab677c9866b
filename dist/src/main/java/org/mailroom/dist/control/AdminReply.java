package org.mailroom.dist.control;

/** What a forwarded admin command printed and its exit code, replayed by the caller as if it had run locally. */
public record AdminReply(int exitCode, String out, String err) {
}
