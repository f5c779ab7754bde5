/*
 * listeners_fn.c
 *    goflow2plus.listeners(): one row per socket of goflow2plus.listen,
 *    read from the shared slots the supervisor hands out (gf_shmem.h):
 *    which worker serves it, its pid, its state and why it last failed.
 *
 *    A slot's fields are copied under its spinlock, so a row never mixes
 *    two listeners; the pid is read apart and may be a moment newer.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "gf_shmem.h"

PG_FUNCTION_INFO_V1(goflow2plus_listeners);

#define LS_NCOLS 9

Datum
goflow2plus_listeners(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GfShared   *shared = gf_shmem_get();
	int			s;

	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus workers are not running in this server"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));

	InitMaterializedSRF(fcinfo, 0);

	for (s = 0; s < shared->nslots; s++)
	{
		GfWorkerSlot *slot = &shared->slots[s];
		GfSlotMeta	meta;
		Datum		values[LS_NCOLS];
		bool		nulls[LS_NCOLS] = {0};
		uint32		pid;

		if (!gf_slot_read(slot, &meta))
			continue;
		pid = pg_atomic_read_u32(&slot->pid);
		values[0] = Int32GetDatum(s);
		values[1] = CStringGetTextDatum(meta.uri.text);
		values[2] = Int32GetDatum(meta.socket_no + 1);
		values[3] = Int32GetDatum((int32) pid);
		nulls[3] = pid == 0;
		values[4] = CStringGetTextDatum(gf_listener_state_name(meta.state));
		values[5] = CStringGetTextDatum(meta.last_error);
		nulls[5] = meta.last_error[0] == '\0';
		values[6] = TimestampTzGetDatum(meta.started_at);
		nulls[6] = meta.started_at == 0;
		values[7] = TimestampTzGetDatum(meta.failed_at);
		nulls[7] = meta.failed_at == 0;
		values[8] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->counters[GF_C_worker_starts]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
