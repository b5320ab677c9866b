-- Mailroom schema, version 11: quota usage is read from counters on the mailbox rows instead of one row per
-- quota root that every append had to update. That row serialised all appends of one user (8 folders of one user
-- committed one after the other) and cost a statement per append; the mailbox row is already locked and updated
-- by every append (UID, MODSEQ, counts). Portable SQL for Derby and PostgreSQL.

-- The bytes of a mailbox's memberships (a message copied into two mailboxes counts in both, as quota did).
ALTER TABLE mr_mailbox ADD COLUMN message_bytes BIGINT DEFAULT 0 NOT NULL;
UPDATE mr_mailbox SET message_bytes = (SELECT COALESCE(SUM(m.msg_size), 0)
    FROM mr_mailbox_message mm JOIN mr_message m ON m.id = mm.message_id WHERE mm.mailbox_id = mr_mailbox.id);

-- What James's CurrentQuotaManager API (increase, decrease, setCurrentQuotas) changes on top of the mailbox counters;
-- a quota root's usage is the sum of its mailboxes' counters plus its adjustment row. The old usage rows were kept
-- equal to the mailbox sums by the same transactions, so their adjustments are normally zero; any difference (a
-- usage set through the API) is kept.
CREATE TABLE mr_quota_adjustment (
    quota_root VARCHAR(400) NOT NULL PRIMARY KEY,
    message_count BIGINT NOT NULL,
    storage_bytes BIGINT NOT NULL
);
INSERT INTO mr_quota_adjustment (quota_root, message_count, storage_bytes)
SELECT q.quota_root,
    q.message_count - COALESCE((SELECT SUM(b.message_count) FROM mr_mailbox b WHERE
        CASE WHEN b.owner = '' THEN b.namespace ELSE b.namespace || '&' || b.owner END = q.quota_root), 0),
    q.storage_bytes - COALESCE((SELECT SUM(b.message_bytes) FROM mr_mailbox b WHERE
        CASE WHEN b.owner = '' THEN b.namespace ELSE b.namespace || '&' || b.owner END = q.quota_root), 0)
FROM mr_current_quota q;
DELETE FROM mr_quota_adjustment WHERE message_count = 0 AND storage_bytes = 0;
DROP TABLE mr_current_quota;

-- The membership's foreign key to its mailbox cost every append an index entry on mailbox_id (the primary key
-- (mailbox_id, uid) already serves every lookup by mailbox) and a lookup of the parent row. What it guaranteed
-- (no membership of a missing mailbox, memberships gone with their mailbox) is kept by the code: every membership
-- insert first updates its mailbox row and fails if it is gone, and a mailbox delete locks that row first, then
-- deletes the memberships, then the row (MessageRows.deleteMailboxContents).
ALTER TABLE mr_mailbox_message DROP CONSTRAINT mr_mm_mailbox;
