-- A message's size and internal date, copied onto each of its memberships: FETCH (UID FLAGS RFC822.SIZE) and
-- INTERNALDATE of a whole mailbox then read one index range of mr_mailbox_message instead of joining every row to
-- mr_message (one B-tree descent and one wide row read per message). Both values never change once a message is
-- stored, and every membership insert writes them (MessageRows.insertMembershipRow). Nullable only because
-- Derby and PostgreSQL spell ALTER COLUMN ... NOT NULL differently; no row is left without them.
ALTER TABLE mr_mailbox_message ADD COLUMN msg_size BIGINT;
ALTER TABLE mr_mailbox_message ADD COLUMN internal_date TIMESTAMP;
UPDATE mr_mailbox_message SET
    msg_size = (SELECT m.msg_size FROM mr_message m WHERE m.id = mr_mailbox_message.message_id),
    internal_date = (SELECT m.internal_date FROM mr_message m WHERE m.id = mr_mailbox_message.message_id);
