package dev.openplus.client;

import java.util.List;

/** No answer: the connection failed or timed out (retried for idempotent requests, then thrown). */
public class ConnectionException extends OpenPlusException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a request that got no answer.
     *
     * @param message what was sent
     * @param cause   the failure
     */
    public ConnectionException(String message, Throwable cause) {
        super(0, List.of(), null, null, message + ": " + cause, cause);
    }
}
