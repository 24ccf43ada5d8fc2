/*
 * fileset: named in-memory files; owns their names and contents.
 */
#include "fileset.h"

#include <stdlib.h>
#include <string.h>

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Puts entry i in the index (which has room). */
static void index_put(struct fileset *fs, size_t i)
{
	size_t mask = fs->slots_cap - 1, at = name_hash(fs->v[i].name) & mask;
	while (fs->slots[at])
		at = (at + 1) & mask;
	fs->slots[at] = i + 1;
}

static void index_rebuild(struct fileset *fs, size_t cap)
{
	free(fs->slots);
	fs->slots_cap = cap;
	fs->slots = xcalloc(cap, sizeof(*fs->slots));
	for (size_t i = 0; i < fs->n; i++)
		index_put(fs, i);
}

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
	if (fs->n * 2 > fs->slots_cap)
		index_rebuild(fs, fs->slots_cap ? fs->slots_cap * 2 : 32);
	else
		index_put(fs, fs->n - 1);
	return e;
}

struct fileset_entry *fileset_find(const struct fileset *fs, const char *name)
{
	if (!fs->slots_cap)
		return NULL;
	size_t mask = fs->slots_cap - 1, at = name_hash(name) & mask;
	for (; fs->slots[at]; at = (at + 1) & mask)
		if (!strcmp(fs->v[fs->slots[at] - 1].name, name))
			return &fs->v[fs->slots[at] - 1];
	return NULL;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct fileset_entry *)a)->name, ((const struct fileset_entry *)b)->name);
}

void fileset_sort(struct fileset *fs)
{
	if (fs->n > 1) {
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_entry);
		index_rebuild(fs, fs->slots_cap);
	}
}

void fileset_release(struct fileset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].name);
		buf_release(&fs->v[i].content);
	}
	free(fs->v);
	free(fs->slots);
	fs->v = NULL;
	fs->slots = NULL;
	fs->n = fs->cap = fs->slots_cap = 0;
}
