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
	size_t *slots;	  /* hash index by name: slot holds entry index + 1, 0 empty (owned) */
	size_t slots_cap; /* a power of two, at least twice n; 0 before the first add */
};
#define FILESET_INIT                \
	{                           \
		NULL, 0, 0, NULL, 0 \
	}

/* Adds a file (copies name and content); returns the new entry. */
struct fileset_entry *fileset_add(struct fileset *fs, const char *name, const void *data, size_t len);
/* Returns the entry with this exact name, or NULL (a hash lookup: plugins write tens of thousands of files). */
struct fileset_entry *fileset_find(const struct fileset *fs, const char *name);
/* Sorts entries by name (byte order); the index follows. Entries are changed only through these calls. */
void fileset_sort(struct fileset *fs);
/* Frees every entry and the array; fs is empty afterwards. */
void fileset_release(struct fileset *fs);

#endif
