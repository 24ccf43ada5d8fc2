/*
 * metrics: Prometheus metrics in the node_exporter textfile format, written
 * atomically (temporary file and rename) to a path of the operator's choice.
 * Named as node_exporter's textfile collector expects: what this run did are
 * gauges named remotegen_last_run_* (a cron run replaces the file, so they
 * are not counters); the one counter, remotegen_generations_published_total,
 * comes from the database and never goes down; gauges read from the database
 * (by template and state, oldest pending age, last publication, output
 * cache); remotegen_build_info.
 */
#ifndef REMOTEGEN_METRICS_H
#define REMOTEGEN_METRICS_H

#include <libpq-fe.h>
#include "run.h"

/* Checks, before a run, that the metrics file can be written. Returns 0 or -1 (err names the file). */
int metrics_check(const char *path, char *err);

/* The run the file describes. */
struct metrics_run {
	const char *version;	      /* remotegen_build_info */
	long long started_s, ended_s; /* wall clock; a service's "end" is the time of the write */
	double duration_s;
	int success; /* --once: nothing failed; service: the database and store work */
	const struct run_stats *st;
};

/* Writes the metrics file. Returns 0 or -1 (err set). */
int metrics_write(PGconn *c, const char *path, const struct metrics_run *m, char *err);

#endif
