/*
 * metrics: Prometheus metrics in the node_exporter textfile format, written
 * atomically (temporary file and rename) to a path of the operator's choice:
 * counters of this process (generations by outcome, plugin and publish time)
 * and gauges read from the database (queue depth by state, oldest pending
 * age, last successful publication).
 */
#ifndef REMOTEGEN_METRICS_H
#define REMOTEGEN_METRICS_H

#include <libpq-fe.h>
#include "run.h"

/* Checks, before a run, that the metrics file can be written. Returns 0 or -1 (err names the file). */
int metrics_check(const char *path, char *err);

/* Writes the metrics file. Returns 0 or -1 (err set). */
int metrics_write(PGconn *c, const char *path, const struct run_stats *st, char *err);

#endif
