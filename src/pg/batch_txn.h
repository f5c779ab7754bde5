/*
 * batch_txn.h
 *    One writer batch in one transaction, as both the socket workers
 *    (worker.c) and the JetStream source workers (source_worker.c) write
 *    theirs: short lock_timeout, a read-only server refused, the batch
 *    dropped (not written) when the extension is missing, any ERROR
 *    caught and the transaction rolled back.
 */
#ifndef GF_BATCH_TXN_H
#define GF_BATCH_TXN_H

#include "postgres.h"

#include "flow_writer.h"

/* What became of the batch. */
typedef struct GfBatchResult
{
	bool		present;		/* the extension exists: the batch was written */
	ErrorData  *edata;			/* the ERROR that rolled it back, or NULL */
} GfBatchResult;

/*
 * Write w's batch.  'activity' is shown in pg_stat_activity; errcb (its
 * callback and arg set by the caller) gives logged errors their context.
 * log_error, when not NULL, is asked with the error's SQLSTATE whether the
 * full report goes to the log before the state is flushed.  On return the
 * caller's memory context is current again; edata is the caller's to free.
 */
extern GfBatchResult gf_batch_write(GfWriter *w, const char *activity,
									ErrorContextCallback *errcb,
									bool (*log_error) (void *arg, int sqlerrcode),
									void *log_arg);

#endif							/* GF_BATCH_TXN_H */
