-- 002: dependency lookups, work notifications, backfill bookkeeping.

-- "Which commits depend on this one" (cascading failures, enqueueing).
CREATE INDEX commit_deps_dep ON commit_deps (dep_commit_id);

-- Wake `remotegen run` services: a new commit, template version or queued
-- generation sends NOTIFY remotegen_work with what arrived.
CREATE FUNCTION remotegen_notify_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('remotegen_work', TG_TABLE_NAME || ':' || NEW.id);
    RETURN NEW;
END
$$;
CREATE FUNCTION remotegen_notify_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('remotegen_work', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER commits_notify AFTER INSERT ON commits
    FOR EACH ROW EXECUTE FUNCTION remotegen_notify_row();
CREATE TRIGGER template_versions_notify AFTER INSERT ON template_versions
    FOR EACH ROW EXECUTE FUNCTION remotegen_notify_row();
CREATE TRIGGER generations_notify AFTER INSERT ON generations
    FOR EACH STATEMENT EXECUTE FUNCTION remotegen_notify_statement();
