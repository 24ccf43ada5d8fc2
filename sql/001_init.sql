-- 001: the registry (modules, commits, plugins, templates) and the generation queue.

CREATE TABLE modules (
    id          bigserial PRIMARY KEY,
    owner       text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Names are unique without regard to case: two modules whose Go paths differ only
-- in case would confuse every case-insensitive file system a store may sit on.
CREATE UNIQUE INDEX modules_name_key ON modules (lower(owner), lower(name));

CREATE TABLE commits (
    id              bigserial PRIMARY KEY,
    module_id       bigint NOT NULL REFERENCES modules(id),
    sequence        integer NOT NULL CHECK (sequence > 0),
    digest          text NOT NULL,            -- "sha256:<hex>" of image
    image           bytea NOT NULL,           -- serialized FileDescriptorSet
    own_files       text[] NOT NULL,          -- the module's own files, in image order
    protoc_version  text NOT NULL,            -- "3.21.12" (may carry a suffix: "3.21.0-rc1")
    created_at      timestamptz NOT NULL DEFAULT now(),
    scheduled       boolean NOT NULL DEFAULT false, -- generations enqueued for it
    UNIQUE (module_id, sequence)
);
CREATE INDEX commits_unscheduled ON commits (id) WHERE NOT scheduled;

-- Commits that a commit's image imports files from (module push --dep).
CREATE TABLE commit_deps (
    commit_id      bigint NOT NULL REFERENCES commits(id),
    dep_commit_id  bigint NOT NULL REFERENCES commits(id),
    PRIMARY KEY (commit_id, dep_commit_id)
);

CREATE TABLE plugins (
    id          bigserial PRIMARY KEY,
    owner       text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plugins_name_key ON plugins (lower(owner), lower(name));

CREATE TABLE plugin_versions (
    id              bigserial PRIMARY KEY,
    plugin_id       bigint NOT NULL REFERENCES plugins(id),
    version         text NOT NULL,
    runtime         text NOT NULL CHECK (runtime IN ('exec', 'bwrap', 'oci')),
    exec_path       text,                 -- exec / bwrap
    image_ref       text,                 -- oci
    go_deps         text[] NOT NULL DEFAULT '{}',   -- "module@version"
    go_min_version  text,                 -- "1.19"
    timeout_ms      integer NOT NULL DEFAULT 120000,
    memory_bytes    bigint  NOT NULL DEFAULT 2147483648,
    output_bytes    bigint  NOT NULL DEFAULT 268435456,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plugin_id, version),
    CHECK ((runtime = 'oci') = (image_ref IS NOT NULL)),
    CHECK ((runtime <> 'oci') = (exec_path IS NOT NULL))
);

CREATE TABLE templates (
    id          bigserial PRIMARY KEY,
    owner       text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX templates_name_key ON templates (lower(owner), lower(name));

-- Ordered plugins of a template: position is insertion-point order.
CREATE TABLE template_plugins (
    template_id  bigint NOT NULL REFERENCES templates(id),
    position     integer NOT NULL,
    plugin_id    bigint NOT NULL REFERENCES plugins(id),
    parameter    text NOT NULL DEFAULT '',
    PRIMARY KEY (template_id, position)
);

CREATE TABLE template_versions (
    id           bigserial PRIMARY KEY,
    template_id  bigint NOT NULL REFERENCES templates(id),
    number       integer NOT NULL CHECK (number > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    scheduled    boolean NOT NULL DEFAULT false,
    UNIQUE (template_id, number)
);
CREATE INDEX template_versions_unscheduled ON template_versions (id) WHERE NOT scheduled;

CREATE TABLE template_version_plugins (
    template_version_id  bigint NOT NULL REFERENCES template_versions(id),
    position             integer NOT NULL,
    plugin_version_id    bigint NOT NULL REFERENCES plugin_versions(id),
    PRIMARY KEY (template_version_id, position)
);

CREATE TABLE generations (
    id                   bigserial PRIMARY KEY,
    commit_id            bigint NOT NULL REFERENCES commits(id),
    template_version_id  bigint NOT NULL REFERENCES template_versions(id),
    version              text NOT NULL,      -- synthetic version, v1.<tv>.<seq>
    state                text NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'running', 'published', 'failed')),
    priority             integer NOT NULL DEFAULT 0,  -- higher first; backfill is lower
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    lease_until          timestamptz,
    lease_owner          text,
    last_error           text,
    zip_hash             text,               -- h1: of the module zip
    mod_hash             text,               -- h1: of go.mod
    created_at           timestamptz NOT NULL DEFAULT now(),
    started_at           timestamptz,
    finished_at          timestamptz,
    plugin_ms            integer,
    publish_ms           integer,
    UNIQUE (commit_id, template_version_id)
);
-- Finding work touches only the queue, never published history.
CREATE INDEX generations_ready ON generations (priority DESC, next_attempt_at, id)
    WHERE state = 'pending';
CREATE INDEX generations_leased ON generations (lease_until) WHERE state = 'running';
CREATE INDEX generations_failed ON generations (finished_at) WHERE state = 'failed';
CREATE INDEX generations_by_tv ON generations (template_version_id);
