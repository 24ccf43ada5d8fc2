-- 013: Python packages beside npm packages. The npm_* columns of a published
-- generation (005) become the columns of any package that is not a Go module,
-- and package_kind says which ecosystem's it is:
--   npm:    package "@scope/name", manifest its package.json, integrity
--           "sha512-<base64>", shasum the tarball's sha1 (hex)
--   python: package the PEP 503 normalized name, manifest the wheel's METADATA
--           (served beside the wheel, PEP 658), integrity the wheel's sha256
--           (hex), shasum METADATA's sha256 (hex), artifact the wheel's file name
-- The two kinds' names never meet: npm names start with '@', Python names
-- cannot hold it; a name belongs to one (template, module) pair either way.
ALTER TABLE generations RENAME COLUMN npm_package TO package;
ALTER TABLE generations RENAME COLUMN npm_manifest TO manifest;
ALTER TABLE generations RENAME COLUMN npm_integrity TO integrity;
ALTER TABLE generations RENAME COLUMN npm_shasum TO shasum;
ALTER TABLE generations ADD COLUMN package_kind text CHECK (package_kind IN ('npm', 'python'));
UPDATE generations SET package_kind = 'npm' WHERE package IS NOT NULL;
ALTER TABLE generations ADD COLUMN artifact text;
ALTER TABLE generations ADD CONSTRAINT generations_package_kind_check2
    CHECK ((package IS NULL) = (package_kind IS NULL));

-- Python requirements of a plugin's generated code ("protobuf>=3.21"): the
-- Requires-Dist of every wheel it generates. A plugin version with any of
-- them generates Python packages.
ALTER TABLE plugin_versions ADD COLUMN python_deps text[] NOT NULL DEFAULT '{}';
