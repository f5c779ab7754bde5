/*
 * metrics_http.h
 *    goflow2plus.metrics_listen and the "goflow2plus metrics" worker that
 *    serves GET /metrics (metrics_http.c).  Include postgres.h first.
 */
#ifndef GF_METRICS_HTTP_H
#define GF_METRICS_HTTP_H

#include "fmgr.h"

extern char *gf_guc_metrics_listen;	/* goflow2plus.metrics_listen */

/* Defines goflow2plus.metrics_listen (postmaster only). */
extern void gf_metrics_define_guc(void);
/* True when an address is set, i.e. the worker is registered. */
extern bool gf_metrics_enabled(void);
/* Registers the worker when an address is set. */
extern void gf_metrics_register_worker(void);

extern PGDLLEXPORT void goflow2plus_metrics_main(Datum main_arg);

#endif							/* GF_METRICS_HTTP_H */
