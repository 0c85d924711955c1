package io.levelparty;

/** A registration that can be cancelled, such as a role listener. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    /** Cancels the registration. Idempotent. */
    @Override
    void close();
}
