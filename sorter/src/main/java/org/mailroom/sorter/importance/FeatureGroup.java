package org.mailroom.sorter.importance;

/** The families of importance evidence; each becomes one score (named {@link #signal}) in a decision. */
enum FeatureGroup {
    /** How the user relates to the sender: writes to them, answers them, hears from them. */
    SOCIAL("importance-social"),
    /** Whether the message continues a conversation the user took part in. */
    THREAD("importance-thread"),
    /** How the user is addressed: To or Cc, how many recipients, list and bulk marks. */
    ADDRESSING("importance-addressing"),
    /** Words the user's past actions correlate with. */
    CONTENT("importance-content"),
    /** Explicit Importance / X-Priority headers. */
    HEADER("importance-header"),
    /** The user's and everyone's base rate, plus the calibration that puts the operating threshold at 0. */
    PRIOR("importance-prior");

    final String signal;

    FeatureGroup(String signal) {
        this.signal = signal;
    }
}
