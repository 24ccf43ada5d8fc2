/*
 * answer: the files of one plugin's CodeGeneratorResponse, in order, with
 * their insertion points: what generate checks and merges, and what the file
 * cache splits by file and stores.
 */
#ifndef REMOTEGEN_ANSWER_H
#define REMOTEGEN_ANSWER_H

#include "util.h"

/* One file of a plugin's answer (a nameless file already folded into the one before it). */
struct answer_file {
	char *name;  /* owned */
	char *point; /* insertion point, or NULL; owned */
	struct buf content;
};

struct answer {
	struct answer_file *v;
	size_t n, cap;
};

/* Appends a file (copies name, point and content); returns it. */
struct answer_file *answer_add(struct answer *a, const char *name, const char *point, const char *content, size_t len);
/* Frees every file; a is empty afterwards. */
void answer_release(struct answer *a);

#endif
