-- 005: npm packages. A plugin version that declares npm runtime packages
-- (plugin add --npm-dep) generates JavaScript/TypeScript; a template version
-- whose plugins do so publishes npm packages into a static npm registry
-- (see publisher/npmpkg.c) instead of Go modules.

-- "@bufbuild/protobuf@^2.17.0": peerDependencies of every package it generates.
ALTER TABLE plugin_versions ADD COLUMN npm_deps text[] NOT NULL DEFAULT '{}';
-- Directories bound read-only into the bwrap sandbox besides the executable
-- (an interpreter and the plugin's own packages, for a Node.js plugin).
ALTER TABLE plugin_versions ADD COLUMN ro_paths text[] NOT NULL DEFAULT '{}';

-- A published npm generation: the package it is a version of, the package.json
-- inside its tarball (the packument's version entry is derived from it), and
-- the tarball's hashes. Go generations keep these NULL (and npm ones zip_hash).
ALTER TABLE generations ADD COLUMN npm_package text;
ALTER TABLE generations ADD COLUMN npm_manifest text;
ALTER TABLE generations ADD COLUMN npm_integrity text;   -- "sha512-<base64>"
ALTER TABLE generations ADD COLUMN npm_shasum text;      -- sha1 hex
-- A package belongs to one (template, module) pair: names that two pairs would
-- share (acme_x/y and acme/x_y both give acme_x_y) are refused at publish.
CREATE INDEX generations_npm_package ON generations (npm_package) WHERE npm_package IS NOT NULL;
