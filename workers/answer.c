/*
 * answer: a plugin's files in order (see answer.h).
 */
#include "answer.h"

#include <stdlib.h>
#include <string.h>

struct answer_file *answer_add(struct answer *a, const char *name, const char *point, const char *content, size_t len)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	struct answer_file *f = &a->v[a->n++];
	*f = (struct answer_file){ .name = xstrdup(name), .point = point ? xstrdup(point) : NULL };
	buf_add(&f->content, content, len);
	return f;
}

void answer_release(struct answer *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].point);
		buf_release(&a->v[i].content);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}
