/*
 * progress: the status line and the progress log line (see progress.h).
 */
#include "progress.h"
#include "log.h"

#include <stdio.h>

#define PROGRESS_TTY_MS 1000

void progress_init(struct progress *p, int tty, long long interval_ms, long long now_ms)
{
	*p = (struct progress){ .tty = tty, .interval_ms = interval_ms, .started_ms = now_ms, .shown_ms = now_ms };
}

int progress_due(const struct progress *p, long long now_ms)
{
	long long every = p->tty ? PROGRESS_TTY_MS : p->interval_ms;
	return every > 0 && now_ms - p->shown_ms >= every;
}

/* "1h02m", "3m05s", "42s" */
static void format_duration(char *buf, size_t size, long long s)
{
	if (s >= 3600)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%llds", s);
}

void progress_format(char *buf, size_t size, long long done, long long remaining, long long elapsed_ms, double *per_s,
		     long long *eta_s)
{
	*per_s = elapsed_ms > 0 ? (double)done * 1000.0 / (double)elapsed_ms : 0.0;
	*eta_s = -1;
	if (done > 0 && *per_s > 0)
		*eta_s = (long long)((double)remaining / *per_s + 0.5);
	char eta[32] = "unknown";
	if (*eta_s >= 0)
		format_duration(eta, sizeof(eta), *eta_s);
	snprintf(buf, size, "generating: %lld done, %lld left, %.1f/s, ETA %s", done, remaining, *per_s, eta);
}

void progress_show(struct progress *p, long long now_ms, long long done, long long remaining)
{
	p->shown_ms = now_ms;
	if (!done && !remaining) {
		progress_end(p);
		return;
	}
	char text[LOG_STATUS_MAX];
	double per_s;
	long long eta_s;
	progress_format(text, sizeof(text), done, remaining, now_ms - p->started_ms, &per_s, &eta_s);
	if (p->tty) {
		log_status(text);
		p->status_up = 1;
		return;
	}
	if (!remaining)
		return; /* the run's end says the rest (run_finished) */
	char rate[32];
	snprintf(rate, sizeof(rate), "%.2f", per_s);
	struct logline l;
	log_start(&l, "info", "progress");
	log_int(&l, "done", done);
	log_int(&l, "remaining", remaining);
	log_str(&l, "per_s", rate);
	if (eta_s >= 0)
		log_int(&l, "eta_s", eta_s);
	log_int(&l, "elapsed_s", (now_ms - p->started_ms) / 1000);
	log_end(&l);
}

void progress_end(struct progress *p)
{
	if (p->status_up)
		log_status(NULL);
	p->status_up = 0;
}
