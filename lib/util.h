/*
 * util: growable byte buffers, error buffers and allocation helpers shared by
 * every module. Allocation failure aborts the process (as git's xmalloc does):
 * there is no sane recovery from OOM in a batch job, and it keeps every caller
 * free of impossible error paths.
 */
#ifndef REMOTEGEN_UTIL_H
#define REMOTEGEN_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Every error buffer a caller passes in holds at least ERR_SIZE bytes. */
#define ERR_SIZE 1024

/* Formats a message into err (when err is not NULL) and returns -1. */
int err_set(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'ed formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable buffer. data is always NUL-terminated (when not NULL) so text can
 * be used as a C string. Initialise with BUF_INIT or buf_init(); buf_release()
 * frees the storage and leaves an empty buffer that may be reused.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
#define BUF_INIT           \
	{                  \
		NULL, 0, 0 \
	}

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps storage */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the storage to the caller (who frees it) and empties b. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n;
	size_t cap;
};
#define STRVEC_INIT        \
	{                  \
		NULL, 0, 0 \
	}
void strvec_push(struct strvec *sv, const char *s); /* copies s */
void strvec_push_owned(struct strvec *sv, char *s); /* takes s */
void strvec_clear(struct strvec *sv);		    /* frees the strings */
int strvec_contains(const struct strvec *sv, const char *s);
void strvec_sort(struct strvec *sv);
/* Appends the space-separated words of s (may be NULL) to sv. */
void strvec_split(struct strvec *sv, const char *s);

/* A sha256 in lower-case hex, with its NUL. */
#define SHA256_HEX_SIZE 65
/* Lower-case hex sha256 of data into out. */
void util_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);
/* Raw sha256. */
void util_sha256(const void *data, size_t len, unsigned char out[32]);

/* Milliseconds from a monotonic clock. */
long long util_now_ms(void);

#endif
