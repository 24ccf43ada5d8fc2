/*
 * fileset: an ordered set of named files held in memory: the output of a
 * template run (workers) and the content of a Go module (publisher).
 */
#ifndef REMOTEGEN_FILESET_H
#define REMOTEGEN_FILESET_H

#include "util.h"

struct fileset_entry {
	char *name;	    /* owned */
	struct buf content; /* owned */
};

struct fileset {
	struct fileset_entry *v;
	size_t n;
	size_t cap;
};
#define FILESET_INIT       \
	{                  \
		NULL, 0, 0 \
	}

/* Adds a file (copies name and content); returns the new entry. */
struct fileset_entry *fileset_add(struct fileset *fs, const char *name, const void *data, size_t len);
/* Returns the entry with this exact name, or NULL. */
struct fileset_entry *fileset_find(const struct fileset *fs, const char *name);
/* Sorts entries by name (byte order). */
void fileset_sort(struct fileset *fs);
/* Frees every entry and the array; fs is empty afterwards. */
void fileset_release(struct fileset *fs);

#endif
