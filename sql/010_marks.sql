-- 010: marks an operator puts on a published version without changing its
-- bytes (`generation yank|deprecate|restore`): yanked (left out of the
-- package's index files: Go's @v/list and @latest, npm's packument; its
-- files stay, so pinned consumers still install it), deprecated (a message
-- npm shows on install), and when a mark last changed (the feed's marks file
-- lists every version ever marked, in that order). Owned by pipeline/queue.c.
ALTER TABLE generations ADD COLUMN yanked_at timestamptz;
ALTER TABLE generations ADD COLUMN yank_reason text;
ALTER TABLE generations ADD COLUMN deprecated text;
ALTER TABLE generations ADD COLUMN marked_at timestamptz;
CREATE INDEX generations_marked ON generations (marked_at, id) WHERE marked_at IS NOT NULL;
