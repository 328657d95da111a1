package dev.openplus.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

import dev.openplus.config.StartupFailure;

/**
 * Checks, before anything is started, that the server can listen where it is told to: the bind address belongs
 * to this machine, the API and management ports differ, and neither is taken. Each problem is a
 * {@link StartupFailure} that names it. The ports are tried by binding them and letting go at once; a program
 * that takes one in the moment between is still reported by {@link #explain}.
 */
public final class ListenCheck {
    private static final String ADDRESS_REMEDY = "Set OPENPLUS_BIND_ADDRESS to 127.0.0.1 (this host only), 0.0.0.0 "
            + "(every interface) or the address of one of this machine's interfaces.";

    private ListenCheck() {
    }

    /**
     * @param port           the API port, 0 for any free one
     * @param managementPort null when /health, /ready and /metrics stay on the API port, 0 for any free one
     */
    public static void check(String bindAddress, int port, Integer managementPort) {
        checkRange(port, "the API port (--port or OPENPLUS_PORT)");
        if (managementPort != null) {
            checkRange(managementPort, "OPENPLUS_MANAGEMENT_PORT");
            if (managementPort != 0 && managementPort == port) {
                throw new StartupFailure("OPENPLUS_MANAGEMENT_PORT is " + port + ", the API port too.",
                        "Choose another management port, or unset OPENPLUS_MANAGEMENT_PORT to serve /health, /ready "
                                + "and /metrics on the API port.", null);
            }
        }
        InetAddress address = address(bindAddress);
        try {
            probe(address, 0);
        } catch (IOException e) {
            throw notThisMachine(bindAddress, e);
        }
        checkFree(bindAddress, address, port, "API port", "with --port or OPENPLUS_PORT");
        if (managementPort != null) {
            checkFree(bindAddress, address, managementPort, "management port", "in OPENPLUS_MANAGEMENT_PORT");
        }
    }

    /**
     * Why the web server could not listen on a port the check had let through: what the check says now, or the
     * failure itself as it is when the check passes again.
     */
    public static StartupFailure explain(String bindAddress, int port, Integer managementPort, RuntimeException e) {
        try {
            check(bindAddress, port, managementPort);
        } catch (StartupFailure failure) {
            return failure;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause(); // Javalin's own message says "port already in use" whatever happened
        }
        return new StartupFailure("cannot listen on " + bindAddress + " port " + port + ": " + root.getMessage(),
                "Check OPENPLUS_BIND_ADDRESS, OPENPLUS_PORT and OPENPLUS_MANAGEMENT_PORT.", e);
    }

    private static void checkRange(int port, String setting) {
        if (port < 0 || port > 65535) {
            throw new StartupFailure(setting + " is " + port + ", which is not a port number.",
                    "Use a port from 1 to 65535 (0 takes any free port).", null);
        }
    }

    private static InetAddress address(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
            throw notThisMachine(bindAddress, e);
        }
    }

    private static StartupFailure notThisMachine(String bindAddress, Exception cause) {
        return new StartupFailure("OPENPLUS_BIND_ADDRESS=" + bindAddress + " is not an address of this machine.",
                ADDRESS_REMEDY, cause);
    }

    private static void checkFree(String bindAddress, InetAddress address, int port, String name, String where) {
        if (port == 0) {
            return;
        }
        try {
            probe(address, port);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Permission denied") || message.contains("Access denied")) {
                throw new StartupFailure("the " + name + " " + port + " on " + bindAddress
                        + " needs privileges this user lacks.",
                        "Choose a port above 1023 " + where + ", and let a reverse proxy take the low port.", e);
            }
            throw new StartupFailure("the " + name + " " + port + " on " + bindAddress
                    + " is already in use (by another OpenPlus server or another program).",
                    "Stop that program, or choose another port " + where + ".", e);
        }
    }

    /** Binds the address and port as Jetty would (reusing an address in TIME_WAIT), and lets go. */
    private static void probe(InetAddress address, int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        }
    }
}
