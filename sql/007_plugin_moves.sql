-- 007: a plugin version's executable or image moved (the binary was
-- reinstalled elsewhere, the image pushed to another registry): `plugin move`
-- points the version at the new location, keeping its identity, and records
-- every move here.
CREATE TABLE plugin_version_moves (
    id                 bigserial PRIMARY KEY,
    plugin_version_id  bigint NOT NULL REFERENCES plugin_versions(id),
    old_location       text NOT NULL,
    new_location       text NOT NULL,
    moved_at           timestamptz NOT NULL DEFAULT now()
);
