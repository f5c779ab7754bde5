/*
 * goflow2plus.h
 *    The settings (GUCs) defined in goflow2plus.c and the background
 *    worker entry point, shared by the files of the adapter.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_GOFLOW2PLUS_H
#define GF_GOFLOW2PLUS_H

#include "fmgr.h"

#include "exporter_acl.h"

/* Bounds of the settings, also used by the worker when it sizes buffers. */
#define GF_BATCH_SIZE_MAX		100000
#define GF_FLUSH_INTERVAL_MAX	60000	/* ms */

/*
 * lock_timeout of the workers' own transactions (batches, template sync):
 * a lock held by a user (LOCK TABLE, ALTER TABLE, TRUNCATE, DROP EXTENSION
 * in progress) gives the receive loop back this soon; the work is retried.
 */
#define GF_LOCK_TIMEOUT			"50ms"

extern char *gf_guc_listen;		/* goflow2plus.listen */
extern int	gf_guc_max_listeners;	/* goflow2plus.max_listeners, sockets */
extern char *gf_guc_database;	/* goflow2plus.database */
extern int	gf_guc_rcvbuf;		/* goflow2plus.rcvbuf, bytes */
extern int	gf_guc_batch_size;	/* goflow2plus.batch_size, records */
extern int	gf_guc_flush_interval;	/* goflow2plus.flush_interval, ms */
extern bool gf_guc_context_keep_build_memory;	/* ..._keep_build_memory */
extern double gf_guc_context_build_cpu;	/* goflow2plus.context_build_cpu, 0.05..1 */
extern double gf_guc_context_build_yield;	/* goflow2plus.context_build_yield, 0..1 */
extern int	gf_guc_spool_size;	/* goflow2plus.spool_size, kB */
extern char *gf_guc_allowed_exporters;	/* goflow2plus.allowed_exporters */
extern int	gf_guc_max_exporters;	/* goflow2plus.max_exporters */
extern int	gf_guc_max_templates;	/* goflow2plus.max_templates */
extern int	gf_guc_max_templates_per_exporter;	/* ..._per_exporter */
extern int	gf_guc_pending_per_exporter;	/* goflow2plus.pending_per_exporter, kB */
extern int	gf_guc_exporter_idle_timeout;	/* goflow2plus.exporter_idle_timeout, s */

/*
 * goflow2plus.bulk_insert_ring: the buffer ring (BulkInsertState's
 * BULKWRITE strategy) the writer's heap multi-inserts go through.
 */
typedef enum GfBulkRing
{
	GF_BULK_RING_OFF,			/* pages from the whole buffer pool */
	GF_BULK_RING_BATCH,			/* a new 16 MB ring for each batch */
	GF_BULK_RING_KEPT			/* one 16 MB ring per worker, reused */
} GfBulkRing;
extern int	gf_guc_bulk_insert_ring;	/* a GfBulkRing */
/* The parsed allowlist (never NULL once _PG_init ran; n = 0 allows all). */
extern const gf_exporter_acl *gf_exporter_acl_current;

/*
 * bgw_function_name of every receiving worker; main_arg is the slot
 * number, bgw_extra the slot's generation (uint32) it was started for.
 */
extern PGDLLEXPORT void goflow2plus_worker_main(Datum main_arg);
/* ... of a nats:// source worker (source_worker.c). */
extern PGDLLEXPORT void goflow2plus_source_main(Datum main_arg);

/*
 * True for an error of a batch write that may pass (a lock, a read-only
 * database, a full disk, a missing table, privileges), false for one that
 * retrying cannot cure (worker.c).
 */
extern bool gf_write_error_is_transient(int sqlerrcode);

/* The listener supervisor (supervisor.c). */
extern PGDLLEXPORT void goflow2plus_supervisor_main(Datum main_arg);

#endif							/* GF_GOFLOW2PLUS_H */
