/*
 * spool.h
 *    The worker's spool: records received while a batch cannot be written
 *    (a lock, a read-only database, a full disk, a dropped table) wait
 *    here, in process memory, oldest first, until the writer takes them
 *    back.  The worker keeps receiving meanwhile, so the kernel's socket
 *    buffer does not overflow.
 *
 *    Records are stored compactly (the used part of each record, with runs
 *    of zero bytes squeezed out) in chunks of at most 1 MB allocated in a
 *    memory context of their own; a chunk is freed as soon as its last
 *    record has been taken back.  The spool never grows past its limit: a
 *    record that does not fit is refused, and the caller counts it.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_SPOOL_H
#define GF_SPOOL_H

#include "utils/palloc.h"

#include "flow.h"
#include "flow_writer.h"
#include "ifcounters.h"
#include "sflow.h"

typedef struct GfSpool GfSpool;

/* limit_bytes: memory the chunks may take in all (0 = keep nothing). */
extern GfSpool *gf_spool_create(MemoryContext parent, Size limit_bytes);
extern void gf_spool_set_limit(GfSpool *s, Size limit_bytes);

/*
 * Append a copy of the record; false when it does not fit under the limit
 * (or no memory is left).  Never raises an ERROR: these run inside the
 * decoder's sink callbacks.
 */
extern bool gf_spool_put_flow(GfSpool *s, const gf_flow *f);
extern bool gf_spool_put_ifcounters(GfSpool *s, const gf_ifcounters *c);
extern bool gf_spool_put_drop(GfSpool *s, const gf_drop_sample *d);

/*
 * Move up to n records, oldest first, into the writer's batch; returns how
 * many were moved.  Chunks emptied on the way are freed.
 */
extern int	gf_spool_refill(GfSpool *s, GfWriter *w, int n);

/* Forget every record (e.g. at exit, after counting them); frees the chunks. */
extern void gf_spool_clear(GfSpool *s);

extern uint64 gf_spool_records(const GfSpool *s);
/* Memory the chunks take now. */
extern Size gf_spool_bytes(const GfSpool *s);

#endif							/* GF_SPOOL_H */
