/*
 * metrics.h
 *    The Prometheus text (exposition format 0.0.4) of everything
 *    goflow2plus.stats() and goflow2plus.exporters() show, plus the
 *    per-source and batch-time figures (traffic_stats.h), under GoFlow2's
 *    metric names where one applies.  One renderer serves
 *    goflow2plus.metrics() and the HTTP endpoint (metrics_http.c).
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_METRICS_H
#define GF_METRICS_H

#include "lib/stringinfo.h"

/*
 * Append the whole text to buf.  Reads shared memory only (no catalog, no
 * transaction), so it works in a process with no database connection.
 * Allocates in CurrentMemoryContext.
 */
extern void gf_metrics_render(StringInfo buf);

#endif							/* GF_METRICS_H */
