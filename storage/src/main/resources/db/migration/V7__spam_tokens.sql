-- Mailroom schema, version 7: what the spam classifier learned (sorter's TokenStore, JdbcTokenStore).
-- scope is a user's address, or '' for the global model every user starts from.

-- Per scope: trained message totals and the learned bias (prior log-odds).
CREATE TABLE mr_spam_scope (
    scope VARCHAR(320) NOT NULL PRIMARY KEY,
    spam_messages INTEGER NOT NULL,
    ham_messages INTEGER NOT NULL,
    bias DOUBLE PRECISION NOT NULL
);

-- Per scope and 64-bit token hash: the logistic-regression weight and how many spam/ham messages held it.
CREATE TABLE mr_spam_token (
    scope VARCHAR(320) NOT NULL,
    token BIGINT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    spam_count INTEGER NOT NULL,
    ham_count INTEGER NOT NULL,
    PRIMARY KEY (scope, token)
);

-- One row per trained message (key_hash is a 64-bit hash of message_key, which may be up to 998 characters):
-- the label, the exact total weight change it made, and its tokens (8 bytes each, big-endian), so that a
-- correction can undo it.
CREATE TABLE mr_spam_training (
    scope VARCHAR(320) NOT NULL,
    key_hash BIGINT NOT NULL,
    message_key VARCHAR(1000) NOT NULL,
    spam SMALLINT NOT NULL,
    weight_delta DOUBLE PRECISION NOT NULL,
    tokens ${binary} NOT NULL,
    PRIMARY KEY (scope, key_hash)
);
