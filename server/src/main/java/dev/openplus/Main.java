package dev.openplus;

import dev.openplus.cli.AdminCommand;
import dev.openplus.cli.ServeCommand;
import dev.openplus.config.Config;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code openplus serve} runs the API server; {@code openplus admin ...} manages tenants and clients. */
@Command(name = "openplus", mixinStandardHelpOptions = true, version = "OpenPlus 0.1.0",
        description = "A self-hosted, wire-compatible server for the Fitbit Plus API v7.78.1.",
        subcommands = {ServeCommand.class, AdminCommand.class})
public final class Main implements Runnable {
    private final Config config;

    public Main(Config config) {
        this.config = config;
    }

    public static void main(String[] args) {
        Config config;
        try {
            config = Config.fromEnvironment();
        } catch (IllegalArgumentException e) {
            System.err.println("openplus: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(commandLine(config).execute(args));
    }

    /** The command line over a given configuration (tests pass their own). */
    public static CommandLine commandLine(Config config) {
        CommandLine commandLine = new CommandLine(new Main(config));
        // A usage error with --json is one {"error": …} on stdout too, still with exit code 2.
        CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
        commandLine.setParameterExceptionHandler((e, args) -> {
            if (!java.util.Arrays.asList(args).contains("--json")) {
                return usage.handleParseException(e, args);
            }
            AdminCommand.printJsonError(e.getCommandLine().getOut(), e.getMessage());
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    /** The configuration from the environment, before flags. */
    public Config config() {
        return config;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
