-- H2 (embedded dev) has no table partitioning: one table, retention deletes rows instead of
-- dropping partitions. Indexes for the analyst filters.
CREATE INDEX danmaku_room_user_time ON danmaku (room_id, user_id, sent_at_ms);
CREATE INDEX danmaku_time ON danmaku (sent_at_ms);

-- Texts are bounded by the gateway's setting, not by the schema: a longer limit there must not
-- make rows unstorable here.
ALTER TABLE danmaku ALTER COLUMN text SET DATA TYPE VARCHAR(1000000);
ALTER TABLE danmaku ALTER COLUMN original_text SET DATA TYPE VARCHAR(1000000);
