-- How far each maintenance task has got, so that a run only looks at what is new since the last.
CREATE TABLE archive_progress (
    task           TEXT   PRIMARY KEY,
    done_before_ms BIGINT NOT NULL
);
