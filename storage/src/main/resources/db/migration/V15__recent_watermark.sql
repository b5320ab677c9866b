-- \Recent as a per-mailbox watermark (Dovecot's "first recent UID"): a membership is recent while its is_recent
-- column is TRUE and its UID is at or above first_recent_uid. The SELECT that claims the recent messages moves the
-- watermark past them with one conditional UPDATE of this row instead of rewriting every membership
-- (RecentWatermark). Existing \Recent flags become the watermark: it starts at the lowest recent UID (or past the
-- last UID), so exactly the rows flagged today stay recent.
ALTER TABLE mr_mailbox ADD COLUMN first_recent_uid BIGINT DEFAULT 1 NOT NULL;
UPDATE mr_mailbox SET first_recent_uid = COALESCE(
    (SELECT MIN(mm.uid) FROM mr_mailbox_message mm WHERE mm.mailbox_id = mr_mailbox.id AND mm.is_recent = TRUE),
    last_uid + 1);
