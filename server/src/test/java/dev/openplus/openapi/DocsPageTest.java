package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.TestServer;

/**
 * The docs page in a real headless Chromium: it loads offline, lists every documented operation, and hits no
 * script error. Without a Chromium the browser test is skipped with a message saying how to get one, except in CI
 * ({@code CI=true}), where a missing browser is a failure: {@code .ci/run} installs Debian's package.
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
        String chromium = chromium(CANDIDATES, System.getenv("CI"));
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

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));

    /**
     * The first executable candidate. None: in CI ({@code ci} is "true") the test fails, since a skipped browser
     * test there would pass unseen; elsewhere it is skipped (a JUnit assumption) with what to install.
     */
    static String chromium(List<Path> candidates, String ci) {
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String where = String.join(" or ", candidates.stream().map(Path::toString).toList());
        if ("true".equalsIgnoreCase(ci)) {
            throw new AssertionError("CI=true and no Chromium at " + where + ": the CI entry point .ci/run installs"
                    + " Debian's chromium when it runs as root; otherwise install it before the build");
        }
        Assumptions.abort("no Chromium at " + where + ", so the docs page is not opened in a browser; install"
                + " Chromium to run this test (Debian: sudo apt-get install chromium)");
        throw new IllegalStateException("unreachable");
    }

    @Test
    @org.junit.jupiter.api.Tag("fast")
    void aMissingChromiumSkipsTheBrowserTestOutsideCiAndFailsItInCi() {
        List<Path> none = List.of(Path.of("/nonexistent/chromium"));
        assertThatThrownBy(() -> chromium(none, null)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("no Chromium at /nonexistent/chromium").hasMessageContaining("apt-get install chromium");
        assertThatThrownBy(() -> chromium(none, "false")).isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> chromium(none, "true")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("CI=true and no Chromium at /nonexistent/chromium");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertThat(chromium(List.of(Path.of("/nonexistent/chromium"), java), "true")).isEqualTo(java.toString());
    }
}
