-- 011: settings that are part of what the registry published, recorded by
-- the first run that needs them (pipeline/registry.c owns the table): the Go
-- module path prefix, since every published Go module's path and its files'
-- keys in the store hold it; a run, verify or mark with another prefix is
-- refused (its @v/list would list versions whose files are elsewhere).
CREATE TABLE registry_settings (
    name    text PRIMARY KEY,
    value   text NOT NULL,
    set_at  timestamptz NOT NULL DEFAULT now()
);
