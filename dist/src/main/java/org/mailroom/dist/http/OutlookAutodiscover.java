package org.mailroom.dist.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Outlook-style autodiscover (the "POX" protocol: {@code POST /autodiscover/autodiscover.xml} with the address in
 * {@code <EMailAddress>}), answered with the IMAP and SMTP settings of the outlook response schema 2006a. Outlook
 * and several mobile clients try it before asking the user.
 */
final class OutlookAutodiscover implements HttpHandler {
    static final String PATH = "/autodiscover/autodiscover.xml";
    private static final int MAX_REQUEST = 16 * 1024;

    private final ClientSettings settings;
    private final Predicate<String> hostedDomain;

    OutlookAutodiscover(ClientSettings settings, Predicate<String> hostedDomain) {
        this.settings = settings;
        this.hostedDomain = hostedDomain;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!HttpReplies.allow(exchange, "POST")) {
            return;
        }
        byte[] body = HttpReplies.body(exchange, MAX_REQUEST);
        if (body == null) {
            return;
        }
        Optional<String> address;
        try {
            address = emailAddress(body);
        } catch (SAXException | IOException e) {
            HttpReplies.text(exchange, 400, "the request is not well-formed XML: " + e.getMessage());
            return;
        }
        if (address.isEmpty()) {
            HttpReplies.text(exchange, 400, "the request has no Request/EMailAddress element");
            return;
        }
        Optional<String> domain = ThunderbirdAutoconfig.domainOf(address.get());
        if (domain.isEmpty()) {
            HttpReplies.text(exchange, 400, "EMailAddress must be an address such as alice@example.org");
            return;
        }
        if (!hostedDomain.test(domain.get())) {
            HttpReplies.text(exchange, 404, "this server hosts no mail for " + domain.get());
            return;
        }
        HttpReplies.send(exchange, 200, "application/xml; charset=utf-8", document(address.get()));
    }

    String document(String address) {
        String user = Xml.escape(address);
        String host = Xml.escape(settings.hostname());
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
              <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
                <Account>
                  <AccountType>email</AccountType>
                  <Action>settings</Action>
            %s%s    </Account>
              </Response>
            </Autodiscover>
            """.formatted(protocol("IMAP", host, settings.imapTlsPort(), user),
            protocol("SMTP", host, settings.submissionTlsPort(), user));
    }

    private static String protocol(String type, String host, int port, String user) {
        return """
                  <Protocol>
                    <Type>%s</Type>
                    <Server>%s</Server>
                    <Port>%d</Port>
                    <LoginName>%s</LoginName>
                    <DomainRequired>off</DomainRequired>
                    <SPA>off</SPA>
                    <SSL>on</SSL>
                    <AuthRequired>on</AuthRequired>
                  </Protocol>
            """.formatted(type, host, port, user);
    }

    private static Optional<String> emailAddress(byte[] body) throws SAXException, IOException {
        Document request = parser().parse(new ByteArrayInputStream(body));
        NodeList found = request.getElementsByTagNameNS("*", "EMailAddress");
        if (found.getLength() == 0) {
            return Optional.empty();
        }
        String address = found.item(0).getTextContent().strip();
        return address.isEmpty() ? Optional.empty() : Optional.of(address);
    }

    // No DTDs and no external entities: the body comes from anyone who can reach the port (XXE, entity bombs).
    private static DocumentBuilder parser() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler());
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured securely", e);
        }
    }
}
