package dev.openplus.config;

/**
 * A reason the server cannot start that the operator can fix: a bind address that is not this machine's, a port
 * in use, a database out of reach. Its message is two lines, what is wrong and what to do, and it is shown as it
 * is, without a stack trace ({@code serve --verbose} adds the trace of its cause).
 */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String problem, String remedy, Throwable cause) {
        super(problem + "\n" + remedy, cause);
    }
}
