package dev.openplus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.openplus.Main;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;
import picocli.CommandLine;

/**
 * Runs the README's walkthrough and admin examples (and the curl blocks of docs/api.md's sync recipe and of
 * docs/fhir.md) through {@code docs/walkthrough-check} against the test
 * server, with {@code ./openplus} standing for this build's command line: a command the README shows that no
 * longer works fails the build. ({@code docs/walkthrough-check} without arguments does the same against a
 * fresh {@code ./openplus serve --demo}, the launcher included.)
 */
class ReadmeWalkthroughTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyReadmeShellBlockRunsAgainstTheServer() throws Exception {
        Assumptions.assumeTrue(onPath("bash") && onPath("curl") && onPath("sed"),
                "docs/walkthrough-check needs bash, curl and sed");
        Path readme = ROOT.resolve("README.md");
        Path script = ROOT.resolve("docs/walkthrough-check");
        assertThat(script).exists();
        int blocks = shellBlocks(Files.readAllLines(readme), "## Walkthrough with curl")
                + shellBlocks(Files.readAllLines(ROOT.resolve("docs/api.md")), "### Sync recipe")
                + shellBlocks(Files.readAllLines(ROOT.resolve("docs/fhir.md")), "## Point a FHIR client at it")
                + shellBlocks(Files.readAllLines(readme), "## Admin commands");
        assertThat(blocks).isGreaterThanOrEqualTo(5);

        // What the demo offers the walkthrough: groups and more coaches than one cursor page of two.
        TestServer server = TestServer.get();
        Fixtures fixtures = new Fixtures(server);
        String organizationId = fixtures.organization("Walkthrough Org");
        String cardiology = fixtures.group(organizationId, "Cardiology");
        String prevention = fixtures.group(organizationId, "Prevention");
        fixtures.coach(organizationId, "Clarisa", "Rivera", cardiology);
        fixtures.coach(organizationId, "Sam", "Okafor", prevention);
        fixtures.coach(organizationId, "Priya", "Natarajan", cardiology, prevention);
        Map<String, String> client = fixtures.client(organizationId);

        // ./openplus in the README stands for this build: each admin command runs in this JVM, on the test
        // server's database, handed over by a small local endpoint (a JVM per command would cost seconds each).
        HttpServer admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/", exchange -> {
            String[] args = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\0");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine commandLine = Main.commandLine(server.config);
            commandLine.setOut(new PrintWriter(out));
            commandLine.setErr(new PrintWriter(err));
            int exit = commandLine.execute(args);
            byte[] stdout = out.toString().getBytes(StandardCharsets.UTF_8);
            byte[] answer = (exit + "\n" + stdout.length + "\n" + out + err).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        admin.start();
        // Named ./openplus and passed as --launcher ./openplus from its own directory, as an operator would.
        Path launcherDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "launcher-");
        Path launcher = launcherDir.resolve("openplus");
        Files.writeString(launcher, String.join("\n",
                "#!/usr/bin/env bash",
                "# ./openplus for docs/walkthrough-check in the test run: the command runs in the test JVM.",
                "export LC_ALL=C # the lengths below count bytes",
                "answer=$(printf '%s\\0' \"$@\" | command curl -sS --data-binary @- http://127.0.0.1:"
                        + admin.getAddress().getPort() + "/; echo .)",
                "exit_code=${answer%%$'\\n'*}; answer=${answer#*$'\\n'}",
                "length=${answer%%$'\\n'*}; answer=${answer#*$'\\n'}; answer=${answer%.}",
                "printf '%s' \"${answer:0:length}\"",
                "printf '%s' \"${answer:length}\" >&2",
                "exit \"$exit_code\"", ""));
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "--base", server.baseUrl,
                "--client-id", client.get("client_id"), "--client-secret", client.get("client_secret"),
                "--launcher", "./openplus", "--verbose").directory(launcherDir.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("OPENPLUS_"));
        Path output = Files.createTempFile(Path.of("target").toAbsolutePath(), "walkthrough-", ".log");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        try {
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("walkthrough-check finished").isTrue();
        } finally {
            process.destroyForcibly();
            admin.stop(0);
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(log).isZero();
        // The cursor loop followed links.next to the last page (three coaches, two a page) and stopped there.
        assertThat(log).containsPattern("(?m)^2 pages$");
        // The sync recipe followed the organization's feed to an empty page and printed the cursor to store.
        assertThat(log).containsPattern("(?m)^[1-9][0-9]* changes; store and poll: /pub/change\\?\\S*page\\[after\\]=\\S+$");
        assertThat(log).contains("walkthrough-check: ran " + blocks + " blocks (README.md ## Walkthrough with curl;"
                + "docs/api.md ### Sync recipe;docs/fhir.md ## Point a FHIR client at it;README.md ## Admin commands)"
                + " against " + server.baseUrl + ": all passed");
        // docs/fhir.md's block ran: the CapabilityStatement and a searchset Bundle were answered.
        assertThat(log).contains("--- ## Point a FHIR client at it block 1")
                .contains("\"resourceType\":\"CapabilityStatement\"").contains("\"type\":\"searchset\"");
    }

    /** The ```sh blocks under one heading (up to the next of its level or higher), as the script finds them. */
    private static int shellBlocks(List<String> lines, String heading) {
        int level = heading.indexOf(' ');
        boolean inSection = false;
        boolean fenced = false;
        int count = 0;
        for (String line : lines) {
            if (fenced) {
                fenced = !line.equals("```");
            } else if (line.startsWith("```")) {
                fenced = true;
                if (inSection && line.equals("```sh")) {
                    count++;
                }
            } else if (line.matches("#+ .*")) {
                if (line.equals(heading)) {
                    inSection = true;
                } else if (line.indexOf(' ') <= level) {
                    inSection = false;
                }
            }
        }
        return count;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
