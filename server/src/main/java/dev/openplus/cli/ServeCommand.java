package dev.openplus.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.Application;
import dev.openplus.Main;
import dev.openplus.config.Config;
import dev.openplus.config.StartupFailure;
import dev.openplus.db.Database;
import dev.openplus.http.ListenCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code openplus serve}: runs the API until stopped; a clean stop also stops the embedded PostgreSQL. A start
 * that fails says in two lines what is wrong and what to do, with exit code 1; the stack trace only with
 * {@code --verbose} or at log level DEBUG.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the API server.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", description = "HTTP port (default: OPENPLUS_PORT or 8080).")
    private Integer port;

    @Option(names = "--demo", description = "On an empty database, seed a demo organization and print credentials; "
            + "later starts print the demo client's id.")
    private boolean demo;

    @Option(names = "--rotate-demo-client", description = "With --demo: revoke the demo client and print a new one "
            + "with its secret.")
    private boolean rotateDemoClient;

    @Option(names = "--verbose", description = "When the server cannot start, print the stack trace as well.")
    private boolean verbose;

    /** The server and its database, once both run. */
    record Running(Application application, Database database) {
    }

    @Override
    public Integer call() throws Exception {
        if (rotateDemoClient && !demo) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rotate-demo-client needs --demo");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = port == null ? main.config() : main.config().withPort(port);
        Running running;
        try {
            running = start(config);
        } catch (Exception e) {
            return fail(err, e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(running);
            stopped.countDown();
        }, "openplus-shutdown"));
        Application application = running.application();
        String host = switch (config.bindAddress()) {
            case "127.0.0.1", "0.0.0.0", "::", "localhost" -> "localhost";
            default -> config.bindAddress().contains(":") ? "[" + config.bindAddress() + "]" : config.bindAddress();
        };
        String base = "http://" + host + ":" + application.port();
        // On stdout for the person at the terminal, and in the log (stderr) for whoever reads it later.
        String listening = "OpenPlus is listening on " + base + "/pub"
                + (config.bindAddress().equals("127.0.0.1") ? " (this host only; see OPENPLUS_BIND_ADDRESS)" : "")
                + (config.embeddedDatabase() ? " (embedded PostgreSQL in " + config.dataDir() + ")" : "");
        out.println(listening);
        LOG.info("listening on {}:{} (API at {}/pub)", config.bindAddress(), application.port(), base);
        if (application.managementPort() > 0) {
            out.println("/health, /ready and /metrics are on http://" + host + ":" + application.managementPort());
            LOG.info("listening on {}:{} (/health, /ready and /metrics)", config.bindAddress(),
                    application.managementPort());
        }
        out.flush();
        if (demo) {
            DemoData.seed(running.database(), application.writer(), base, rotateDemoClient, out);
        }
        out.flush();
        stopped.await();
        return 0;
    }

    /** Checks where the server will listen before the database is touched, then opens it and starts the server. */
    static Running start(Config config) throws Exception {
        ListenCheck.check(config.bindAddress(), config.port(), config.managementPort());
        Database database = Database.open(config, true);
        try {
            return new Running(Application.start(config, database), database);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Stops accepting requests, waits for those in progress, then stops the database; each step in the log. */
    static void stop(Running running) {
        int inProgress = running.application().requestsInProgress();
        LOG.info("stopping: draining {} request{}", inProgress, inProgress == 1 ? "" : "s");
        running.application().close();
        running.database().close();
        LOG.info("stopped");
    }

    /**
     * Prints why the start failed: a {@link StartupFailure}'s two lines, the message of an embedded PostgreSQL that
     * cannot be used (another server owns it, initdb failed, …), or else the innermost cause's message.
     */
    private int fail(PrintWriter err, Exception e) {
        String message;
        if (e instanceof StartupFailure || e instanceof IllegalStateException) {
            message = e.getMessage();
        } else {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            message = "the server could not start: " + (root.getMessage() == null ? root.getClass().getName()
                    : root.getMessage().strip().lines().findFirst().orElse(""))
                    + (verbose ? "" : "\nRun it again with --verbose to see where it failed.");
        }
        err.println("openplus serve: " + message);
        if (verbose) {
            e.printStackTrace(err);
        } else {
            LOG.debug("the server could not start", e);
        }
        err.flush();
        return 1;
    }
}
