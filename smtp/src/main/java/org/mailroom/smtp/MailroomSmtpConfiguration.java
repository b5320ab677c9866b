package org.mailroom.smtp;

import org.apache.james.protocols.smtp.SMTPConfigurationImpl;

/**
 * What James's SMTP handlers ask of a listener: its name, greeting and size limit, and when AUTH is announced
 * (on submission, only once TLS is in place; never on the MX listener, which has no AUTH handler at all).
 */
final class MailroomSmtpConfiguration extends SMTPConfigurationImpl {

    private final MailroomSmtpServer.Settings settings;

    MailroomSmtpConfiguration(MailroomSmtpServer.Settings settings) {
        this.settings = settings;
    }

    @Override
    public String getHelloName() {
        return settings.hostname();
    }

    @Override
    public String getGreeting() {
        return settings.hostname() + " ESMTP Mailroom";
    }

    @Override
    public String getSoftwareName() {
        return "Mailroom";
    }

    @Override
    public long getMaxMessageSize() {
        return settings.limits().maxMessageSize();
    }

    @Override
    public boolean isRelayingAllowed(String remoteIP) {
        // Relaying is decided by RecipientPolicy from the authenticated user, never by client address.
        return false;
    }

    @Override
    public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
        return settings.mode() != MailroomSmtpServer.Mode.INBOUND && tlsStarted;
    }
}
