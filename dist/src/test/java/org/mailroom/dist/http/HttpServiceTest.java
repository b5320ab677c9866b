package org.mailroom.dist.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.RunningMailroom;
import org.mailroom.dist.TestServer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The HTTP port of a launched server, asked with the JDK's HTTP client and the answers parsed as a client would. */
class HttpServiceTest {
    @TempDir
    static Path dir;

    private static RunningMailroom server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void launch() throws Exception {
        Path config = TestServer.config(dir);
        CliRun added = CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org");
        assertThat(added.exitCode()).as(added.err()).isZero();
        server = TestServer.launch(config);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void thunderbirdAutoconfigNamesTheHostPortsAndSocketTypes() throws Exception {
        for (String path : List.of("/.well-known/autoconfig/mail/config-v1.1.xml", "/mail/config-v1.1.xml")) {
            HttpResponse<String> response = get(path + "?emailaddress=alice%40example.org");
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/xml"));

            Document xml = parse(response.body());
            Element provider = (Element) xml.getElementsByTagName("emailProvider").item(0);
            assertThat(provider.getAttribute("id")).isEqualTo("example.org");
            assertThat(servers(xml, "incomingServer")).containsExactly(
                "imap mail.example.org " + server.imapTlsPort() + " SSL %EMAILADDRESS%",
                "imap mail.example.org " + server.imapPort() + " STARTTLS %EMAILADDRESS%");
            assertThat(servers(xml, "outgoingServer")).containsExactly(
                "smtp mail.example.org " + server.submissionTlsPort() + " SSL %EMAILADDRESS%",
                "smtp mail.example.org " + server.submissionPort() + " STARTTLS %EMAILADDRESS%");
        }
    }

    @Test
    void autoconfigRefusesUnhostedDomainsAndBadAddresses() throws Exception {
        // Without an address the Host header decides: 127.0.0.1 is no hosted domain.
        assertThat(get("/mail/config-v1.1.xml").statusCode()).isEqualTo(404);
        assertThat(get("/mail/config-v1.1.xml?emailaddress=bob%40elsewhere.example").statusCode()).isEqualTo(404);
        assertThat(get("/mail/config-v1.1.xml?emailaddress=no-at-sign").statusCode()).isEqualTo(400);
        // Only the domain counts; nothing of the local part is echoed into the document.
        HttpResponse<String> odd = get("/mail/config-v1.1.xml?emailaddress=%3Cscript%3E%40example.org");
        assertThat(odd.statusCode()).isEqualTo(200);
        assertThat(odd.body()).doesNotContain("<script>");
        assertThat(get("/mail/config-v1.1.xml?emailaddress=x%40exa%3Cmple.org").statusCode()).isEqualTo(400);
    }

    @Test
    void outlookAutodiscoverAnswersWithImapAndSmtpOverTls() throws Exception {
        String request = """
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
              <Request>
                <EMailAddress>alice@example.org</EMailAddress>
                <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
              </Request>
            </Autodiscover>
            """;
        HttpResponse<String> response = post("/autodiscover/autodiscover.xml", request);
        assertThat(response.statusCode()).isEqualTo(200);

        Document xml = parse(response.body());
        assertThat(xml.getDocumentElement().getNamespaceURI())
            .isEqualTo("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
        NodeList protocols = xml.getElementsByTagNameNS("*", "Protocol");
        List<String> found = new ArrayList<>();
        for (int i = 0; i < protocols.getLength(); i++) {
            Element protocol = (Element) protocols.item(i);
            found.add(text(protocol, "Type") + " " + text(protocol, "Server") + " " + text(protocol, "Port") + " "
                + text(protocol, "SSL") + " " + text(protocol, "LoginName"));
        }
        assertThat(found).containsExactly(
            "IMAP mail.example.org " + server.imapTlsPort() + " on alice@example.org",
            "SMTP mail.example.org " + server.submissionTlsPort() + " on alice@example.org");
        assertThat(post("/Autodiscover/Autodiscover.xml", request).statusCode()).isEqualTo(200);
    }

    @Test
    void autodiscoverRefusesBadRequestsPrecisely() throws Exception {
        HttpResponse<String> notXml = post("/autodiscover/autodiscover.xml", "this is not xml");
        assertThat(notXml.statusCode()).isEqualTo(400);
        assertThat(notXml.body()).contains("not well-formed XML");

        HttpResponse<String> entity = post("/autodiscover/autodiscover.xml",
            "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>");
        assertThat(entity.statusCode()).isEqualTo(400);
        assertThat(entity.body()).doesNotContain("root:");

        assertThat(post("/autodiscover/autodiscover.xml", "<Autodiscover><Request/></Autodiscover>").body())
            .contains("no Request/EMailAddress");
        assertThat(post("/autodiscover/autodiscover.xml",
            "<Autodiscover><Request><EMailAddress>x@unknown.example</EMailAddress></Request></Autodiscover>")
            .statusCode()).isEqualTo(404);
        assertThat(post("/autodiscover/autodiscover.xml", "x".repeat(20_000)).statusCode()).isEqualTo(413);
        assertThat(get("/autodiscover/autodiscover.xml").statusCode()).isEqualTo(405);
    }

    @Test
    void metricsAreInPrometheusTextFormatWithJvmAndServerMeters() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        List<String> samples = response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
        // Every sample line is "name{labels} value" with a number as value: what Prometheus parses.
        assertThat(samples).isNotEmpty().allSatisfy(line ->
            assertThat(line).matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? [-+0-9.eE]+|.* (NaN|[+-]Inf)"));
        assertThat(response.body()).contains("jvm_memory_used_bytes{", "process_uptime_seconds", "jvm_threads_live_threads");
        assertThat(response.body()).contains("# TYPE");
    }

    @Test
    void healthAndUnknownPaths() throws Exception {
        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
        assertThat(get("/admin/run").statusCode()).as("admin is never on the public HTTP port").isEqualTo(404);
    }

    private static List<String> servers(Document xml, String element) {
        NodeList nodes = xml.getElementsByTagName(element);
        List<String> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element server = (Element) nodes.item(i);
            found.add(server.getAttribute("type") + " " + text(server, "hostname") + " " + text(server, "port") + " "
                + text(server, "socketType") + " " + text(server, "username"));
        }
        return found;
    }

    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagNameNS("*", name);
        if (nodes.getLength() == 0) {
            nodes = parent.getElementsByTagName(name);
        }
        return nodes.item(0).getTextContent().strip();
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/xml")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
