-- Mailroom schema, version 1: users, domains, aliases and the mailbox store.
-- Portable SQL for Derby and PostgreSQL; ${binary} and ${longtext} are filled in by Dialect.

CREATE TABLE mr_domain (
    name VARCHAR(253) NOT NULL PRIMARY KEY
);

CREATE TABLE mr_user (
    username VARCHAR(320) NOT NULL PRIMARY KEY,
    password_hash VARCHAR(512) NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- An alias delivers to one or more local users.
CREATE TABLE mr_alias (
    address VARCHAR(320) NOT NULL,
    target VARCHAR(320) NOT NULL,
    PRIMARY KEY (address, target)
);

-- owner is '' for paths without a user; acl holds the serialized MailboxACL (NULL when empty);
-- keywords lists every IMAP keyword ever set in the mailbox (space-separated), for the FLAGS response;
-- message_count and unseen_count are kept in the transactions that change memberships, and content_version
-- grows with every membership added or removed (it validates cached UID lists).
CREATE TABLE mr_mailbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace VARCHAR(64) NOT NULL,
    owner VARCHAR(320) NOT NULL,
    name VARCHAR(512) NOT NULL,
    uid_validity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL,
    highest_modseq BIGINT NOT NULL,
    message_count BIGINT DEFAULT 0 NOT NULL,
    unseen_count BIGINT DEFAULT 0 NOT NULL,
    content_version BIGINT DEFAULT 0 NOT NULL,
    acl ${longtext},
    keywords ${longtext},
    CONSTRAINT mr_mailbox_path UNIQUE (namespace, owner, name)
);

-- One row per stored message, shared by every mailbox holding a copy (same MessageId).
-- Header and body are kept apart so header-only fetches do not read the body.
CREATE TABLE mr_message (
    id CHAR(36) NOT NULL PRIMARY KEY,
    internal_date TIMESTAMP NOT NULL,
    msg_size BIGINT NOT NULL,
    body_start INTEGER NOT NULL,
    text_lines BIGINT,
    properties ${longtext},
    header_bytes ${binary} NOT NULL,
    body_bytes ${binary} NOT NULL
);

-- A message's membership in a mailbox: UID, MODSEQ and flags.
CREATE TABLE mr_mailbox_message (
    mailbox_id BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    message_id CHAR(36) NOT NULL,
    thread_id CHAR(36) NOT NULL,
    modseq BIGINT NOT NULL,
    is_answered BOOLEAN NOT NULL,
    is_deleted BOOLEAN NOT NULL,
    is_draft BOOLEAN NOT NULL,
    is_flagged BOOLEAN NOT NULL,
    is_recent BOOLEAN NOT NULL,
    is_seen BOOLEAN NOT NULL,
    user_flags VARCHAR(4000),
    save_date TIMESTAMP,
    PRIMARY KEY (mailbox_id, uid),
    CONSTRAINT mr_mm_mailbox FOREIGN KEY (mailbox_id) REFERENCES mr_mailbox (id) ON DELETE CASCADE,
    CONSTRAINT mr_mm_message FOREIGN KEY (message_id) REFERENCES mr_message (id)
);

-- PostgreSQL does not index foreign keys by itself (Derby does, and warns that this one is a duplicate).
CREATE INDEX mr_mm_by_message ON mr_mailbox_message (message_id);

CREATE TABLE mr_subscription (
    username VARCHAR(320) NOT NULL,
    mailbox VARCHAR(512) NOT NULL,
    PRIMARY KEY (username, mailbox)
);

CREATE TABLE mr_annotation (
    mailbox_id BIGINT NOT NULL,
    annotation_key VARCHAR(256) NOT NULL,
    annotation_value ${longtext} NOT NULL,
    PRIMARY KEY (mailbox_id, annotation_key),
    CONSTRAINT mr_annotation_mailbox FOREIGN KEY (mailbox_id) REFERENCES mr_mailbox (id) ON DELETE CASCADE
);

CREATE TABLE mr_current_quota (
    quota_root VARCHAR(400) NOT NULL PRIMARY KEY,
    message_count BIGINT NOT NULL,
    storage_bytes BIGINT NOT NULL
);

-- scope is GLOBAL (scope_key ''), DOMAIN (a domain) or ROOT (a quota root); NULL limit = unset.
CREATE TABLE mr_max_quota (
    scope VARCHAR(16) NOT NULL,
    scope_key VARCHAR(400) NOT NULL,
    max_messages BIGINT,
    max_storage BIGINT,
    PRIMARY KEY (scope, scope_key)
);
