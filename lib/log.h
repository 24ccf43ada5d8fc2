/*
 * log: one logfmt line per event on stderr ("ts=... level=info event=claimed
 * id=4 module=acme/weather"). A line is built in a caller-owned struct logline
 * and written with a single write(2), so lines from different threads never
 * interleave. Never pass secrets to it.
 */
#ifndef REMOTEGEN_LOG_H
#define REMOTEGEN_LOG_H

#include <stddef.h>

struct logline {
	char buf[4096];
	size_t len;
};

/* Minimum level printed: 0 debug, 1 info, 2 warn, 3 error (default 1). */
void log_set_level(int level);
/* Parses "debug|info|warn|error"; returns -1 when unknown. */
int log_parse_level(const char *s);

void log_start(struct logline *l, const char *level, const char *event);
void log_str(struct logline *l, const char *key, const char *val);
void log_int(struct logline *l, const char *key, long long val);
void log_end(struct logline *l);

/*
 * The status line of a terminal: TEXT (one line, no newline; cut to
 * LOG_STATUS_MAX - 1 bytes) stays at the bottom of stderr, below the log
 * lines written after it, until replaced; NULL or "" clears it. Only for a
 * stderr that is a terminal: it writes carriage returns and ANSI erase codes.
 */
#define LOG_STATUS_MAX 256
void log_status(const char *text);

#endif
