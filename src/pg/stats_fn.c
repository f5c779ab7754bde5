/*
 * stats_fn.c
 *    goflow2plus.stats(): one row per worker per counter, read from the
 *    workers' shared slots without a lock (each value is an atomic).
 *    Slots come and go with goflow2plus.listen; free ones are skipped, and
 *    a slot's listener is copied under its lock (gf_slot_read).
 *
 *    goflow2plus.reset_stats() sets every counter's baseline to its value
 *    (stats() shows the difference) and asks the workers to zero the
 *    counts of their exporter rows.
 *
 *    Tests poll "SELECT bool_and(ready) FROM goflow2plus.stats()" before
 *    sending their first datagram: a worker is ready once its socket is
 *    bound and it is connected to goflow2plus.database.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "gf_shmem.h"

PG_FUNCTION_INFO_V1(goflow2plus_stats);
PG_FUNCTION_INFO_V1(goflow2plus_reset_stats);

#define STATS_NCOLS 5

Datum
goflow2plus_stats(PG_FUNCTION_ARGS)
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
		Datum		listen;
		bool		ready;
		int			c;

		/* Free slots (no listener) are not shown. */
		if (!gf_slot_read(slot, &meta))
			continue;
		listen = CStringGetTextDatum(meta.uri.text);
		ready = pg_atomic_read_u32(&slot->ready) != 0;

		for (c = 0; c < GF_NCOUNTERS; c++)
		{
			Datum		values[STATS_NCOLS];
			bool		nulls[STATS_NCOLS] = {0};

			values[0] = Int32GetDatum(s);
			values[1] = listen;
			values[2] = BoolGetDatum(ready);
			values[3] = CStringGetTextDatum(gf_counter_names[c]);
			/* bigint holds it for 292 years of a billion events a second. */
			values[4] = Int64GetDatum((int64) gf_shmem_counter(slot, c));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

Datum
goflow2plus_reset_stats(PG_FUNCTION_ARGS)
{
	if (gf_shmem_get() == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus workers are not running in this server"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));
	gf_shmem_reset_stats();
	PG_RETURN_VOID();
}
