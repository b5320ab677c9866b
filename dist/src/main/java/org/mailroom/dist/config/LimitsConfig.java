package org.mailroom.dist.config;

/** The {@code limits} section: sizes past which mail is refused. */
public record LimitsConfig(DataSize maxMessageSize) {

    public LimitsConfig {
        maxMessageSize = maxMessageSize != null ? maxMessageSize : DataSize.parse("25MB");
    }
}
