-- 012: the module format of an npm plugin's output. 'esm' (protoc-gen-es:
-- ES modules, "type": "module", imports of dependency modules rewritten by the
-- plugin itself through rewrite_imports) or 'commonjs' (protoc-gen-js,
-- protoc-gen-grpc-web: require() of relative paths, rewritten by remotegen
-- into the dependency modules' packages). NULL for plugins that generate no
-- npm packages. A template version holds one format (registry.c refuses a mix).
ALTER TABLE plugin_versions ADD COLUMN npm_module text
    CHECK (npm_module IN ('esm', 'commonjs'));
UPDATE plugin_versions SET npm_module = 'esm' WHERE cardinality(npm_deps) > 0;
ALTER TABLE plugin_versions ADD CONSTRAINT plugin_versions_npm_module_check2
    CHECK ((npm_module IS NULL) = (cardinality(npm_deps) = 0));
