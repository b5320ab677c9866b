-- Mailroom schema, version 10: delivered and bounced messages stay in the queue for a while (outbound
-- history-retention) so the admin commands still show them with their attempt history; completed_at is when the
-- last recipient became final (NULL while any is pending). A scheduled purge deletes rows completed long enough
-- ago (recipients and attempts go with them, ON DELETE CASCADE). Portable SQL for Derby and PostgreSQL.
ALTER TABLE mr_queue_message ADD COLUMN completed_at BIGINT;
CREATE INDEX mr_queue_message_completed ON mr_queue_message (completed_at);
