package dev.herald.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What partners rely on: the jar runs on Java 17 and brings no dependency along. */
class LibraryShapeTest {
    private static final int JAVA_17 = 61;

    @Test
    void everyClassOfTheLibraryIsJava17Bytecode() throws Exception {
        Path classes = Path.of(WebhookVerifier.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                    data.readInt(); // magic
                    data.readUnsignedShort(); // minor
                    assertThat(data.readUnsignedShort()).as(classes.relativize(file).toString()).isEqualTo(JAVA_17);
                }
                checked.add(file.getFileName().toString());
            }
        }
        assertThat(checked).contains("WebhookVerifier.class", "Deduplicator.class", "ExampleReceiver.class");
    }

    @Test
    void thePomDeclaresOnlyTestDependencies() throws Exception {
        // why: surefire runs in the module's directory
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
        NodeList dependencies = project.getElementsByTagName("dependency");
        assertThat(dependencies.getLength()).isPositive();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String artifact = dependency.getElementsByTagName("artifactId").item(0).getTextContent();
            NodeList scope = dependency.getElementsByTagName("scope");
            assertThat(scope.getLength() == 1 ? scope.item(0).getTextContent() : "compile").as(artifact).isEqualTo("test");
        }
    }
}
