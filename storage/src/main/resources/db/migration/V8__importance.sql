-- Mailroom schema, version 8: what the sorter's importance model learns (org.mailroom.sorter.importance).
-- Times are epoch milliseconds (BIGINT): no time-zone conversion between engines or JVMs.

-- One user's history with one correspondent.
CREATE TABLE mr_importance_contact (
    username VARCHAR(320) NOT NULL,
    address VARCHAR(320) NOT NULL,
    received INTEGER NOT NULL,
    replied INTEGER NOT NULL,
    sent_to INTEGER NOT NULL,
    last_received BIGINT,
    last_sent BIGINT,
    PRIMARY KEY (username, address)
);

-- One user's part in one conversation; thread_key is a normalised subject or <message-id> of a sent message.
CREATE TABLE mr_importance_thread (
    username VARCHAR(320) NOT NULL,
    thread_key VARCHAR(512) NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    started_by_user BOOLEAN NOT NULL,
    last_activity BIGINT,
    PRIMARY KEY (username, thread_key)
);

-- Received messages waiting for their label (a reply, or 30 days without one), with the features seen at arrival.
CREATE TABLE mr_importance_pending (
    username VARCHAR(320) NOT NULL,
    message_key VARCHAR(512) NOT NULL,
    sender VARCHAR(320) NOT NULL,
    subject_key VARCHAR(512) NOT NULL,
    received_at BIGINT NOT NULL,
    features ${binary} NOT NULL,
    PRIMARY KEY (username, message_key)
);
CREATE INDEX mr_importance_pending_sender ON mr_importance_pending (username, sender);
CREATE INDEX mr_importance_pending_time ON mr_importance_pending (username, received_at);

-- The weights of the shared and per-user logistic regression, by hashed feature key, with AdaGrad's accumulator.
CREATE TABLE mr_importance_weight (
    feature_key BIGINT NOT NULL PRIMARY KEY,
    weight DOUBLE PRECISION NOT NULL,
    squared_gradient DOUBLE PRECISION NOT NULL
);
