/*
 * gopkgtool: prints, for each non-well-known file of an image, the go_package
 * managed mode assigns it in module MODPATH ("FILE<TAB>VALUE" lines), so a
 * parity test can write those values into the sources and run protoc on them.
 *   gopkgtool MODPATH IMAGE
 */
#include "fsutil.h"
#include "gopkg.h"
#include "google/protobuf/descriptor.pb-c.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char err[ERR_SIZE];
	struct buf img = BUF_INIT;
	if (argc != 3)
		return fprintf(stderr, "usage: gopkgtool MODPATH IMAGE\n"), 2;
	if (fs_read_file(argv[2], &img, err) < 0)
		return fprintf(stderr, "gopkgtool: %s\n", err), 1;
	Google__Protobuf__FileDescriptorSet *fds =
		google__protobuf__file_descriptor_set__unpack(NULL, img.len, (uint8_t *)img.data);
	if (!fds)
		return fprintf(stderr, "gopkgtool: not an image\n"), 1;
	for (size_t i = 0; i < fds->n_file; i++) {
		if (gopkg_is_wkt(fds->file[i]->name))
			continue;
		char *opt = gopkg_option(argv[1], fds->file[i]->name, fds->file[i]->package);
		printf("%s\t%s\n", fds->file[i]->name, opt);
		free(opt);
	}
	google__protobuf__file_descriptor_set__free_unpacked(fds, NULL);
	buf_release(&img);
	return 0;
}
