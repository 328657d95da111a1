package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.TestServer;

/**
 * The docs page in a real headless Chromium (Debian's package, installed by the test when missing): it
 * loads offline, lists every documented operation, and hits no script error.
 */
class DocsPageTest {

    @Test
    void docsPageAndAssetsAreServedWithoutAToken() {
        Api api = TestServer.get().api();
        Api.Response page = api.get("/docs", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("/docs/swagger-ui-bundle.js").contains("/pub/openapi.json")
                .doesNotContain("https://").doesNotContain("http://");
        Api.Response bundle = api.get("/docs/swagger-ui-bundle.js", null);
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.header("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(api.get("/docs/swagger-ui.css", null).status()).isEqualTo(200);
    }

    @Test
    void theDocsPageRendersEveryOperationInHeadlessChromium() throws Exception {
        String chromium = ensureChromium();
        Path profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-");
        List<String> command = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=20000", "--dump-dom", TestServer.get().baseUrl + "/docs");
        Path stdout = profile.resolve("dom.html");
        Path stderr = profile.resolve("chromium.log");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        String dom = Files.readString(stdout, StandardCharsets.UTF_8);
        String log = Files.readString(stderr, StandardCharsets.UTF_8);

        assertThat(dom).as("the page rendered Swagger UI").contains("swagger-ui").contains("opblock");
        for (String operationId : documentedOperations()) {
            assertThat(dom).as(operationId + " is listed").contains(">" + operationId + "<");
        }
        assertThat(dom).doesNotContain("class=\"openplus-load-error\"");
        for (String line : log.lines().toList()) {
            if (line.contains(":CONSOLE(")) {
                assertThat(line).as("console message").doesNotContainIgnoringCase("error")
                        .doesNotContain("Uncaught").doesNotContain("Failed to load resource");
            }
        }
    }

    private static List<String> documentedOperations() throws IOException {
        JsonNode document = TestServer.get().openApiDocument();
        List<String> ids = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        while (paths.hasNext()) {
            paths.next().getValue().forEach(operation -> ids.add(operation.get("operationId").asText()));
        }
        return ids;
    }

    /** Debian's chromium; the project installs it itself where it is missing (CI machines run as root). */
    private static String ensureChromium() throws Exception {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("the docs test needs Debian's chromium: apt-get install chromium");
        }
        if (run("apt-get", "install", "-y", "-qq", "chromium") != 0) {
            assertThat(run("apt-get", "update", "-qq")).isZero();
            assertThat(run("apt-get", "install", "-y", "-qq", "chromium")).isZero();
        }
        return "/usr/bin/chromium";
    }

    private static int run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
