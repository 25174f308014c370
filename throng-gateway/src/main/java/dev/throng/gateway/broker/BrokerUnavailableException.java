package dev.throng.gateway.broker;

/**
 * The shared state of a cluster cannot be reached (or did not answer in time): what a {@link Broker}'s stages fail
 * with. The node keeps serving its own connections; the REST API answers cluster queries with 503.
 */
public final class BrokerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    public BrokerUnavailableException(String message) {
        this(message, null);
    }
}
