-- One row per verdict the filter published (DESIGN §8). The same script runs on PostgreSQL
-- and on H2 in PostgreSQL mode.
CREATE TABLE danmaku (
    msg_id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    room_id          VARCHAR(64)   NOT NULL,
    user_id          VARCHAR(128)  NOT NULL,
    user_name        VARCHAR(128)  NOT NULL,
    text             VARCHAR(2000) NOT NULL,
    color            INTEGER       NOT NULL,
    mode             VARCHAR(8)    NOT NULL,
    font_size        INTEGER       NOT NULL,
    sent_at_ms       BIGINT        NOT NULL,
    video_offset_ms  BIGINT        NOT NULL,
    verdict          VARCHAR(16)   NOT NULL,
    reason           VARCHAR(32),
    rule_set_version BIGINT        NOT NULL,
    original_text    VARCHAR(2000),
    recalled_at_ms   BIGINT,
    kafka_partition  INTEGER       NOT NULL,
    kafka_offset     BIGINT        NOT NULL
);

CREATE INDEX danmaku_room_time ON danmaku (room_id, sent_at_ms, msg_id);
