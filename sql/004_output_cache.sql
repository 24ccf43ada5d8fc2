-- 004: incremental generation. A plugin version declared --per-file generates
-- each file from that file and its imports alone, so its output for a file can
-- be kept under a key of everything it depends on and reused by every process
-- of the deployment (see workers/generate.c).

ALTER TABLE plugin_versions ADD COLUMN per_file boolean NOT NULL DEFAULT false;

CREATE TABLE output_cache (
    key        text PRIMARY KEY,         -- sha256 hex of plugin version, parameter, compiler
                                         -- version and the file's descriptor with its imports
    files      bytea NOT NULL,           -- a serialized CodeGeneratorResponse: that file's output
    bytes      integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz NOT NULL DEFAULT now()
);
-- Eviction takes the least recently used first.
CREATE INDEX output_cache_used ON output_cache (used_at);

-- Hits and misses over the cache's life (one row).
CREATE TABLE output_cache_stats (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    hits    bigint NOT NULL DEFAULT 0,
    misses  bigint NOT NULL DEFAULT 0
);
INSERT INTO output_cache_stats DEFAULT VALUES;
