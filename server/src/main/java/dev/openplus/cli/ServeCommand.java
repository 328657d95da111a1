package dev.openplus.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.openplus.Application;
import dev.openplus.Main;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code openplus serve}: runs the API until stopped; a clean stop also stops the embedded PostgreSQL. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the API server.")
public final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--port", description = "HTTP port (default: OPENPLUS_PORT or 8080).")
    private Integer port;

    @Option(names = "--demo", description = "On an empty database, seed a demo organization and print credentials.")
    private boolean demo;

    @Override
    public Integer call() throws Exception {
        Config config = port == null ? main.config() : main.config().withPort(port);
        Database database;
        try {
            database = Database.open(config, true);
        } catch (IllegalStateException e) {
            System.err.println("openplus serve: " + e.getMessage());
            return 1;
        }
        Application application;
        try {
            application = Application.start(config, database);
        } catch (Exception e) {
            database.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            application.close();
            database.close();
            stopped.countDown();
        }, "openplus-shutdown"));
        String host = switch (config.bindAddress()) {
            case "127.0.0.1", "0.0.0.0", "::", "localhost" -> "localhost";
            default -> config.bindAddress().contains(":") ? "[" + config.bindAddress() + "]" : config.bindAddress();
        };
        String base = "http://" + host + ":" + application.port();
        System.out.println("OpenPlus is listening on " + base + "/pub"
                + (config.bindAddress().equals("127.0.0.1") ? " (this host only; see OPENPLUS_BIND_ADDRESS)" : "")
                + (config.embeddedDatabase() ? " (embedded PostgreSQL in " + config.dataDir() + ")" : ""));
        if (application.managementPort() > 0) {
            System.out.println("/health, /ready and /metrics are on http://" + host + ":" + application.managementPort());
        }
        if (demo) {
            DemoData.seed(database, application.writer(), base, System.out);
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
