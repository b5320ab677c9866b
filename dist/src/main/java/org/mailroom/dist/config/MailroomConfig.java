package org.mailroom.dist.config;

/**
 * The whole of {@code mailroom.yaml}, one record per section; a section left out of the file takes its defaults.
 */
public record MailroomConfig(ServerConfig server, StorageConfig storage, SmtpConfig smtp,
                             SubmissionConfig submission, ImapConfig imap, HttpConfig http, LimitsConfig limits,
                             TlsConfig tls, DnsConfig dns, OutboundConfig outbound) {

    public MailroomConfig {
        server = server != null ? server : new ServerConfig(null, null, null);
        storage = storage != null ? storage : new StorageConfig(null, null, null, null, null);
        smtp = smtp != null ? smtp : SmtpConfig.defaults();
        submission = submission != null ? submission : new SubmissionConfig(null, null);
        imap = imap != null ? imap : new ImapConfig(null, null);
        http = http != null ? http : new HttpConfig(null);
        limits = limits != null ? limits : new LimitsConfig(null);
        tls = tls != null ? tls : TlsConfig.of(null, null);
        dns = dns != null ? dns : new DnsConfig(null, null);
        outbound = outbound != null ? outbound : new OutboundConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Every configuration value at its default, as if the file were empty. */
    public static MailroomConfig defaults() {
        return new MailroomConfig(null, null, null, null, null, null, null, null, null, null);
    }

    MailroomConfig withTls(TlsConfig tls) {
        return new MailroomConfig(server, storage, smtp, submission, imap, http, limits, tls, dns, outbound);
    }
}
