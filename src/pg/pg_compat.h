/*
 * pg_compat.h
 *    The one place where PostgreSQL version differences are handled, so the
 *    rest of src/pg reads as plain PostgreSQL 15 code.  PostgreSQL 15 is
 *    the version we build and test on; 16 and 17 are meant to build.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_PG_COMPAT_H
#define GF_PG_COMPAT_H

#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#if PG_VERSION_NUM < 150000
#error "goflow2plus needs PostgreSQL 15 or later (shmem_request_hook)"
#endif

/*
 * PostgreSQL 17 tracks wait event sets with a resource owner instead of a
 * memory context.  A worker's set lives as long as the process, so it is
 * tracked by neither: TopMemoryContext before 17, no owner from 17 on.
 */
#if PG_VERSION_NUM >= 170000
#define gf_create_wait_event_set(nevents) \
	CreateWaitEventSet(NULL, (nevents))
#else
#define gf_create_wait_event_set(nevents) \
	CreateWaitEventSet(TopMemoryContext, (nevents))
#endif

/*
 * The wait event shown in pg_stat_activity while a worker sleeps.  17 can
 * register a named one; a plain "Extension" is enough and works on all.
 */
#define GF_WAIT_EVENT_MAIN	PG_WAIT_EXTENSION

#endif							/* GF_PG_COMPAT_H */
