/*
 * fuzz_image: a module image (a serialized FileDescriptorSet, as `module push
 * --image` reads it): the files it holds and the path checks a push applies.
 */
#include "image.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec files = STRVEC_INIT;
	struct image img;
	char err[ERR_SIZE];
	image_init(&img);
	if (image_list_files(data, size, &files, err) == 0) {
		buf_add(&img.data, data, size);
		for (size_t i = 0; i < files.n; i++) {
			strvec_push(&img.all_files, files.v[i]);
			strvec_push(&img.own_files, files.v[i]);
		}
		image_check_paths(&img, err);
		image_check_imports(&img, &files, err);
	}
	strvec_clear(&files);
	image_release(&img);
	return 0;
}
