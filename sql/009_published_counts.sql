-- 009: how many generations of each template version were published, kept
-- by the statement that publishes one (pipeline/queue.c, which owns this
-- table), so that per-template figures (status, the metrics' counter
-- remotegen_generations_published_total) never count published history.
-- Published is final, so the count only grows.
CREATE TABLE generation_counts (
    template_version_id  bigint PRIMARY KEY REFERENCES template_versions(id),
    published            bigint NOT NULL DEFAULT 0
);
INSERT INTO generation_counts (template_version_id, published)
    SELECT template_version_id, count(*) FROM generations WHERE state = 'published' GROUP BY template_version_id;
