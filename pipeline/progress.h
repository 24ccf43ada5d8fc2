/*
 * progress: how far a run is through its queue, and when it will be done:
 * a status line on a terminal ("generating: 120 done, 880 left, 8.3/s, ETA
 * 1m46s", refreshed every second) or, when stderr is not a terminal, an
 * `event=progress` log line every interval while there is work. Owns the
 * formatting; the run loop hands it the figures.
 */
#ifndef REMOTEGEN_PROGRESS_H
#define REMOTEGEN_PROGRESS_H

#include <stddef.h>

struct progress {
	int tty;	       /* stderr is a terminal: the status line */
	long long interval_ms; /* between log lines otherwise; 0: none */
	long long started_ms;  /* the run's start */
	long long shown_ms;    /* the last line or status */
	int status_up;	       /* a status line is on the terminal */
};

void progress_init(struct progress *p, int tty, long long interval_ms, long long now_ms);

/* 1 when progress_show should be called now (the loop reads the queue only then). */
int progress_due(const struct progress *p, long long now_ms);

/*
 * Shows DONE generations finished in this run and REMAINING ones (pending
 * and running) at NOW_MS; nothing when both are 0 (an idle service).
 */
void progress_show(struct progress *p, long long now_ms, long long done, long long remaining);

/* Takes the status line down (before the run's last lines). */
void progress_end(struct progress *p);

/*
 * The figures of one line: rate per second over ELAPSED_MS and the seconds
 * left at that rate (-1 when nothing is done yet). Writes the status text
 * into buf (at most size bytes, NUL-terminated).
 */
void progress_format(char *buf, size_t size, long long done, long long remaining, long long elapsed_ms, double *per_s,
		     long long *eta_s);

#endif
