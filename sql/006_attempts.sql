-- 006: the history of every attempt of a generation, not only its last error:
-- what each attempt ended with (published, retry, failed, handed_back,
-- lease_expired, dependency) and why. Written by the statement that records
-- the outcome (pipeline/queue.c), in the same round trip. Handed-back attempts
-- do not count in generations.attempts, so an attempt number may repeat.
CREATE TABLE generation_attempts (
    id             bigserial PRIMARY KEY,
    generation_id  bigint NOT NULL REFERENCES generations(id),
    attempt        integer NOT NULL,
    started_at     timestamptz,
    finished_at    timestamptz NOT NULL DEFAULT now(),
    outcome        text NOT NULL
                   CHECK (outcome IN ('published', 'retry', 'failed', 'handed_back', 'lease_expired',
                                      'dependency')),
    lease_owner    text,
    error          text
);
CREATE INDEX generation_attempts_of ON generation_attempts (generation_id, id);
