-- 008: a template can be disabled (`template disable`): new commits and new
-- versions of it generate nothing, its pending generations stop (failed, with
-- the reason; `retry` queues them again once it is enabled), published ones
-- stay. NULL: enabled.
ALTER TABLE templates ADD COLUMN disabled_at timestamptz;
ALTER TABLE generation_attempts DROP CONSTRAINT generation_attempts_outcome_check;
ALTER TABLE generation_attempts ADD CONSTRAINT generation_attempts_outcome_check
    CHECK (outcome IN ('published', 'retry', 'failed', 'handed_back', 'lease_expired', 'dependency', 'stopped'));
