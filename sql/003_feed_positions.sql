-- 003: a registry of any size costs an idle run O(1).
-- Every published generation gets a position in the feed of published versions
-- (index/feed/), assigned once, gap-free, under the feed lock; the feed is
-- written in segments of 1000 positions, so a run writes only the segment at
-- the end. The count of published generations is the highest position plus
-- the few not yet placed.

ALTER TABLE generations ADD COLUMN feed_seq bigint;
CREATE UNIQUE INDEX generations_feed_seq ON generations (feed_seq) WHERE feed_seq IS NOT NULL;
-- Published but not yet in the feed (normally empty).
CREATE INDEX generations_unfed ON generations (finished_at, id)
    WHERE state = 'published' AND feed_seq IS NULL;
-- "Published in the last hour" reads only the last hour.
CREATE INDEX generations_published_at ON generations (finished_at) WHERE state = 'published';

-- History published before this migration keeps its publication order.
UPDATE generations g SET feed_seq = s.n
FROM (SELECT id, row_number() OVER (ORDER BY finished_at, id) AS n
      FROM generations WHERE state = 'published') s
WHERE g.id = s.id;
-- The statistics must know, or the partial indexes above look useless to the planner.
ANALYZE generations;
