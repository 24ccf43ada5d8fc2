/*
 * log: logfmt lines to stderr; owns the global minimum level and the
 * terminal's status line.
 */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int min_level = 1;

/* The status line: shown under the log lines on a terminal; guarded by status_lock. */
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;
static char status[LOG_STATUS_MAX];
static size_t status_len;

#define CLEAR_LINE "\r\033[K"

static int level_num(const char *s)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

void log_set_level(int level)
{
	min_level = level;
}

int log_parse_level(const char *s)
{
	return level_num(s);
}

static void put(struct logline *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 2 - l->len; /* keep room for "\n\0" */
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void log_start(struct logline *l, const char *level, const char *event)
{
	char ts[40];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);
	l->len = 0;
	l->buf[0] = '\0';
	if (level_num(level) < min_level) {
		l->len = (size_t)-1; /* suppressed */
		return;
	}
	log_str(l, "ts", ts);
	log_str(l, "level", level);
	log_str(l, "event", event);
}

void log_str(struct logline *l, const char *key, const char *val)
{
	if (l->len == (size_t)-1)
		return;
	if (!val)
		val = "";
	int quote = !*val;
	for (const char *p = val; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20 || *p == '\\')
			quote = 1;
	if (l->len)
		put(l, " ", 1);
	put(l, key, strlen(key));
	put(l, "=", 1);
	if (!quote) {
		put(l, val, strlen(val));
		return;
	}
	put(l, "\"", 1);
	for (const char *p = val; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = *p;
			put(l, esc, 2);
		} else if (*p == '\n') {
			put(l, "\\n", 2);
		} else if ((unsigned char)*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
			put(l, esc, 4);
		} else {
			put(l, p, 1);
		}
	}
	put(l, "\"", 1);
}

void log_int(struct logline *l, const char *key, long long val)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", val);
	log_str(l, key, num);
}

void log_end(struct logline *l)
{
	if (l->len == (size_t)-1)
		return;
	l->buf[l->len++] = '\n';
	pthread_mutex_lock(&status_lock);
	ssize_t w;
	if (!status_len) {
		w = write(2, l->buf, l->len);
	} else {
		/* Clear the status line, write the log line, show the status again: one write. */
		char out[sizeof(CLEAR_LINE) + sizeof(l->buf) + LOG_STATUS_MAX];
		size_t n = sizeof(CLEAR_LINE) - 1;
		memcpy(out, CLEAR_LINE, n);
		memcpy(out + n, l->buf, l->len);
		n += l->len;
		memcpy(out + n, status, status_len);
		n += status_len;
		w = write(2, out, n);
	}
	pthread_mutex_unlock(&status_lock);
	(void)w;
}

void log_status(const char *text)
{
	char out[sizeof(CLEAR_LINE) + LOG_STATUS_MAX + 1];
	size_t n = sizeof(CLEAR_LINE) - 1;
	pthread_mutex_lock(&status_lock);
	int had = status_len > 0;
	status_len = 0;
	if (text && *text) {
		status_len = strlen(text);
		if (status_len > sizeof(status) - 1)
			status_len = sizeof(status) - 1;
		memcpy(status, text, status_len);
	}
	memcpy(out, CLEAR_LINE, n);
	memcpy(out + n, status, status_len);
	n += status_len;
	if (had && !status_len)
		out[n++] = '\r'; /* the line cleared, the cursor at its start */
	if (had || status_len) {
		ssize_t w = write(2, out, n);
		(void)w;
	}
	pthread_mutex_unlock(&status_lock);
}
