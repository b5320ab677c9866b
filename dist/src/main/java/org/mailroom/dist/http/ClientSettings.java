package org.mailroom.dist.http;

/**
 * What a mail client needs to know to connect: the public host name and the ports the listeners really bound
 * (implicit TLS first, the way both autoconfiguration formats prefer it).
 */
public record ClientSettings(String hostname, int imapTlsPort, int imapStartTlsPort, int submissionTlsPort,
                             int submissionStartTlsPort) {
}
