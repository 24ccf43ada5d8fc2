/* Unit tests: the file set and its name index (lib/fileset.c). */
#include "fileset.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	struct fileset fs = FILESET_INIT;
	CHECK(fileset_find(&fs, "x") == NULL);
	char name[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d%d/f%d.txt", i % 7, 4999 - i);
		fileset_add(&fs, name, name, strlen(name));
	}
	CHECK(fs.n == 5000);
	struct fileset_entry *e = fileset_find(&fs, "d3/f4989.txt");
	CHECK(e && e->content.len == strlen("d3/f4989.txt") && !memcmp(e->content.data, "d3/f4989.txt", 12));
	CHECK(fileset_find(&fs, "d3/f4989.tx") == NULL);
	fileset_sort(&fs);
	CHECK(strcmp(fs.v[0].name, fs.v[1].name) < 0);
	int found = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d%d/f%d.txt", i % 7, 4999 - i);
		e = fileset_find(&fs, name);
		found += e && !strcmp(e->name, name);
	}
	CHECK(found == 5000); /* the index follows the sort */
	fileset_release(&fs);
	CHECK(fs.n == 0 && fileset_find(&fs, "d0/f0.txt") == NULL);
	fileset_add(&fs, "again", "", 0);
	CHECK(fileset_find(&fs, "again") != NULL);
	fileset_release(&fs);
	return unit_done("fileset");
}
