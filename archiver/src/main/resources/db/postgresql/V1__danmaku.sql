-- One row per verdict the filter published (DESIGN §8), partitioned by day of sent_at_ms (UTC).
-- The archiver creates partitions ahead of time and on demand, and drops old ones for retention.
--
-- Idempotency: a partitioned table's unique key must contain the partition key, so the key is
-- (msg_id, sent_at_ms). A msg_id always arrives with the same sent_at_ms (both are stamped by the
-- gateway and carried unchanged through Kafka), so this key is exactly as strict as msg_id alone.
CREATE TABLE danmaku (
    msg_id           TEXT    NOT NULL,
    room_id          TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    user_name        TEXT    NOT NULL,
    text             TEXT    NOT NULL,
    color            INTEGER NOT NULL,
    mode             TEXT    NOT NULL,
    font_size        INTEGER NOT NULL,
    sent_at_ms       BIGINT  NOT NULL,
    video_offset_ms  BIGINT  NOT NULL,
    verdict          TEXT    NOT NULL,
    reason           TEXT,
    rule_set_version BIGINT  NOT NULL,
    original_text    TEXT,
    recalled_at_ms   BIGINT,
    kafka_partition  INTEGER NOT NULL,
    kafka_offset     BIGINT  NOT NULL,
    PRIMARY KEY (msg_id, sent_at_ms)
) PARTITION BY RANGE (sent_at_ms);

-- Room + time range, in keyset order (sent_at_ms, msg_id).
CREATE INDEX danmaku_room_time ON danmaku (room_id, sent_at_ms, msg_id);
-- One user's danmaku in a room.
CREATE INDEX danmaku_room_user_time ON danmaku (room_id, user_id, sent_at_ms);
