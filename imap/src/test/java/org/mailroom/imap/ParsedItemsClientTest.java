package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.eclipse.angus.mail.imap.IMAPMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import jakarta.mail.Address;
import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * A real client over implicit TLS reading what {@link ParsedItemsFetch} answers: Angus Mail's {@code IMAPMessage}
 * takes its envelope from ENVELOPE, its content types and parts from BODYSTRUCTURE and its headers from
 * {@code BODY.PEEK[HEADER.FIELDS (...)]} and {@code BODY.PEEK[HEADER]}; each must agree with Angus's own parse of the
 * message's bytes, twice (parsed by the server, then kept).
 */
class ParsedItemsClientTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.implicitTlsWithoutThrottle();
    private static String user;
    /** The well-formed shapes: a client's parse of them is the reference (broken ones parse differently anywhere). */
    private static final int[] WELL_FORMED = {0, 1, 2, 12};

    @BeforeAll
    static void start() throws Exception {
        user = testServer.fixture().addUser("parsed-client");
        try (Store store = connect()) {
            Folder inbox = store.getFolder("INBOX");
            List<Message> messages = new ArrayList<>();
            for (int shape : WELL_FORMED) {
                messages.add(local(MessageShapes.all().get(shape)));
            }
            inbox.appendMessages(messages.toArray(new Message[0]));
        }
    }

    @Test
    void envelopesStructuresAndHeadersAsTheClientParsesTheBytes() throws Exception {
        for (int round = 0; round < 2; round++) {
            try (Store store = connect()) {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] fetched = inbox.getMessages();
                FetchProfile profile = new FetchProfile();
                profile.add(FetchProfile.Item.ENVELOPE);
                profile.add(FetchProfile.Item.CONTENT_INFO);
                profile.add(UIDFolder.FetchProfileItem.UID);
                profile.add("Message-ID");
                inbox.fetch(fetched, profile); // one FETCH 1:* (UID ENVELOPE INTERNALDATE RFC822.SIZE BODYSTRUCTURE ...)
                assertThat(fetched).hasSize(WELL_FORMED.length);
                for (int i = 0; i < fetched.length; i++) {
                    IMAPMessage remote = (IMAPMessage) fetched[i];
                    MimeMessage reference = local(MessageShapes.all().get(WELL_FORMED[i]));
                    String what = "shape " + WELL_FORMED[i] + ", round " + round;
                    assertThat(remote.getSubject()).as(what).isEqualTo(reference.getSubject());
                    assertThat(strings(remote.getFrom())).as(what).isEqualTo(strings(reference.getFrom()));
                    // the first recipient (a group in the list is written by each side its own way)
                    assertThat(strings(remote.getRecipients(Message.RecipientType.TO)).stream().findFirst()).as(what)
                        .isEqualTo(strings(reference.getRecipients(Message.RecipientType.TO)).stream().findFirst());
                    assertThat(remote.getMessageID()).as(what).isEqualTo(reference.getMessageID());
                    assertThat(remote.getHeader("Message-ID")).as(what).isEqualTo(reference.getHeader("Message-ID"));
                    assertSameStructure(remote, reference, what);
                    assertThat(remote.getAllHeaderLines().hasMoreElements()).as(what).isTrue();
                }
                inbox.close(false);
            }
        }
    }

    private static void assertSameStructure(Part remote, Part reference, String what) throws Exception {
        ContentType remoteType = new ContentType(remote.getContentType());
        ContentType referenceType = new ContentType(reference.getContentType());
        assertThat(remoteType.getBaseType().toLowerCase()).as(what).isEqualTo(referenceType.getBaseType().toLowerCase());
        if (referenceType.getParameter("charset") != null) {
            // (BODYSTRUCTURE names the default us-ascii of a text part without one)
            assertThat(remoteType.getParameter("charset")).as(what).isEqualToIgnoringCase(referenceType.getParameter("charset"));
        }
        assertThat(remote.getDisposition()).as(what).isEqualTo(reference.getDisposition());
        assertThat(remote.getFileName()).as(what).isEqualTo(reference.getFileName());
        assertThat(remote.getDescription()).as(what).isEqualTo(reference.getDescription());
        if (remote.isMimeType("multipart/*")) {
            Multipart remoteParts = (Multipart) remote.getContent();
            Multipart referenceParts = (Multipart) reference.getContent();
            assertThat(remoteParts.getCount()).as(what).isEqualTo(referenceParts.getCount());
            for (int i = 0; i < remoteParts.getCount(); i++) {
                assertSameStructure(remoteParts.getBodyPart(i), referenceParts.getBodyPart(i), what + " part " + (i + 1));
            }
        } else if (remote.isMimeType("text/*")) {
            assertThat(remote.getContent()).as(what).isEqualTo(reference.getContent());
        }
    }

    /** Decoded names and addresses (James's ENVELOPE writes names as encoded words of its own choice). */
    private static List<String> strings(Address[] addresses) {
        return addresses == null ? List.of() : Arrays.stream(addresses).map(InternetAddress.class::cast)
            .map(address -> address.getPersonal() + " <" + address.getAddress() + ">").toList();
    }

    private static MimeMessage local(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static Store connect() throws Exception {
        Properties props = new Properties();
        props.put("mail.imaps.ssl.socketFactory", testServer.fixture().certificate.clientSocketFactory());
        props.put("mail.imaps.ssl.checkserveridentity", "true");
        props.put("mail.imaps.connectiontimeout", "10000");
        props.put("mail.imaps.timeout", "15000");
        Store store = Session.getInstance(props).getStore("imaps");
        store.connect("127.0.0.1", testServer.server().port(), user, ImapTestServers.PASSWORD);
        return store;
    }
}
