package org.mailroom.sorter.learning;

/**
 * Receives the user actions that teach the sorter; called synchronously by the mail store, so implementations
 * must be quick (hand heavy work to their own executor) and should not throw.
 */
@FunctionalInterface
public interface UserActionListener {

    /** Called once for each user action, after the store has applied it. */
    void onUserAction(UserAction action);
}
