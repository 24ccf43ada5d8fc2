/*
 * fileset: named in-memory files; owns their names and contents.
 */
#include "fileset.h"

#include <stdlib.h>
#include <string.h>

struct fileset_entry *fileset_add(struct fileset *fs, const char *name, const void *data, size_t len)
{
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	struct fileset_entry *e = &fs->v[fs->n++];
	e->name = xstrdup(name);
	buf_init(&e->content);
	buf_add(&e->content, data, len);
	return e;
}

struct fileset_entry *fileset_find(const struct fileset *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].name, name))
			return &fs->v[i];
	return NULL;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct fileset_entry *)a)->name, ((const struct fileset_entry *)b)->name);
}

void fileset_sort(struct fileset *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_entry);
}

void fileset_release(struct fileset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].name);
		buf_release(&fs->v[i].content);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->cap = 0;
}
