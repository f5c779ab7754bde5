/*
 * context_shared.h
 *    The shared-memory meeting point of context enrichment: the change
 *    counter that committed changes to the context tables bump, the
 *    builder process's latch, and the snapshot it published last (a
 *    dynamic shared memory segment handle, its generation and what it
 *    holds).  See src/pg/README.md, "Context".
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_CONTEXT_SHARED_H
#define GF_CONTEXT_SHARED_H

#include "port/atomics.h"
#include "storage/dsm.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

typedef struct GfContextShared
{
	/* Bumped (after the commit is visible) by every changing transaction. */
	pg_atomic_uint64 requested;

	slock_t		lock;			/* protects everything below */
	Latch	   *builder_latch;	/* NULL when no builder runs */
	int			builder_pid;
	uint64		generation;		/* of the published snapshot; 0: none */
	uint64		covers;			/* 'requested' value it includes */
	/*
	 * What is published is a base (the last full build) and, when
	 * networks changed a little since, an overlay built on it (context.h,
	 * "overlays"): generation is then the overlay's.
	 */
	uint64		base_generation;
	dsm_handle	handle;			/* the base */
	Size		bytes;
	dsm_handle	overlay_handle; /* DSM_HANDLE_INVALID: none */
	Size		overlay_bytes;
	uint32		overlay_networks;	/* entries in the overlay */
	uint32		stale;			/* base entries it hides */
	uint32		base_networks;
	uint64		full_builds;
	uint64		overlay_builds;
	uint32		networks;
	uint32		devices;
	uint32		interfaces;
	uint32		rates;
	double		build_ms;		/* reading the tables plus building */
	TimestampTz built_at;
	uint64		builds_failed;
	char		last_error[256];	/* "" when the last build worked */
} GfContextShared;

extern Size gf_context_shmem_size(void);
extern void gf_context_shmem_startup(void);
/* NULL when the library was not preloaded. */
extern GfContextShared *gf_context_shared(void);

/* Register the builder background worker (from _PG_init). */
extern void gf_context_register_builder(void);

#endif							/* GF_CONTEXT_SHARED_H */
