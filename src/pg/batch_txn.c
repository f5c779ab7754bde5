/*
 * batch_txn.c
 *    One writer batch in one transaction (batch_txn.h).  The transaction
 *    runs with a short lock_timeout, so a lock a user holds makes it fail
 *    fast instead of stalling the receive loop; FATAL still exits.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "pgstat.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"

#include "batch_txn.h"
#include "goflow2plus.h"

GfBatchResult
gf_batch_write(GfWriter *w, const char *activity, ErrorContextCallback *errcb,
			   bool (*log_error) (void *arg, int sqlerrcode), void *log_arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile GfBatchResult res = {false, NULL};

	PG_TRY();
	{
		errcb->previous = error_context_stack;
		error_context_stack = errcb;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* Local to this transaction: reverts at commit or abort. */
		(void) set_config_option("lock_timeout", GF_LOCK_TIMEOUT,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, activity);

		res.present = OidIsValid(get_extension_oid("goflow2plus", true));
		if (res.present)
		{
			/*
			 * The heap path writes below the executor, which is where a
			 * read-only transaction is refused: refuse it here too.
			 */
			PreventCommandIfReadOnly("INSERT into goflow2plus tables");
			(void) gf_writer_flush(w);
		}
		else
			gf_writer_reset(w);

		PopActiveSnapshot();
		CommitTransactionCommand();
		/* Commit leaves TopMemoryContext current: back to the caller's. */
		MemoryContextSwitchTo(oldcxt);
		error_context_stack = errcb->previous;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		/* The full report (with its context) while the error is current. */
		if (log_error != NULL && log_error(log_arg, edata->sqlerrcode))
			EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(oldcxt);
		error_context_stack = errcb->previous;
		res.edata = edata;
	}
	PG_END_TRY();
	return res;
}
