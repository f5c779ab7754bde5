/*
 * exporters_fn.c
 *    The per-exporter view: each worker copies, once a tick, what its
 *    decoder holds for and refused to each NetFlow v9 / IPFIX exporter into
 *    its shared slot (gf_exporters_publish), and goflow2plus.exporters()
 *    reads those copies back, one row per worker and exporter.
 *
 *    A slot has room for GF_SLOT_EXPORTERS rows, and a decoder may hold
 *    thousands of exporters (spoofed ones among them), so the worker shows
 *    those an operator needs first: the most refused, then the busiest.
 *    exporters_held in each row says how many the worker holds in all.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#include "exporters_fn.h"
#include "gf_shmem.h"

PG_FUNCTION_INFO_V1(goflow2plus_exporters);

#define EXP_NCOLS 16

/* Gathers the top GF_SLOT_EXPORTERS by (refusals, datagrams). */
typedef struct ExpTop
{
	int			n;
	uint32		held;
	gf_exporter_stats rows[GF_SLOT_EXPORTERS];
} ExpTop;

static uint64
exp_refused(const gf_exporter_stats *s)
{
	return s->templates_refused + s->templates_evicted + s->sampling_refused +
		s->pending_refused + s->pending_evicted;
}

/* True when a ranks above b. */
static bool
exp_above(const gf_exporter_stats *a, const gf_exporter_stats *b)
{
	if (exp_refused(a) != exp_refused(b))
		return exp_refused(a) > exp_refused(b);
	return a->datagrams > b->datagrams;
}

static void
exp_collect(void *arg, const gf_exporter_stats *s)
{
	ExpTop	   *top = arg;
	int			lowest = 0;
	int			i;

	top->held++;
	if (top->n < GF_SLOT_EXPORTERS)
	{
		top->rows[top->n++] = *s;
		return;
	}
	for (i = 1; i < top->n; i++)
		if (exp_above(&top->rows[lowest], &top->rows[i]))
			lowest = i;
	if (exp_above(s, &top->rows[lowest]))
		top->rows[lowest] = *s;
}

void
gf_exporters_publish(GfWorkerSlot *slot, const gf_decoder *decoder)
{
	ExpTop		top;

	top.n = 0;
	top.held = 0;
	gf_decoder_exporters(decoder, exp_collect, &top);
	SpinLockAcquire(&slot->exporters_lock);
	slot->n_exporters = top.n;
	slot->exporters_held = top.held;
	memcpy(slot->exporters, top.rows, sizeof(gf_exporter_stats) * top.n);
	SpinLockRelease(&slot->exporters_lock);
}

static Datum
exp_inet(const gf_addr *a)
{
	char		buf[64];

	gf_addr_format(a, buf, sizeof(buf));
	return DirectFunctionCall1(inet_in, CStringGetDatum(buf));
}

/* UNIX nanoseconds to timestamptz (microseconds since 2000-01-01). */
static Datum
exp_time(uint64 ns)
{
	return TimestampTzGetDatum((TimestampTz) (ns / 1000) -
							   (TimestampTz) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
							   SECS_PER_DAY * USECS_PER_SEC);
}

Datum
goflow2plus_exporters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GfShared   *shared = gf_shmem_get();
	gf_exporter_stats *rows;
	int			s;

	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus workers are not running in this server"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));

	InitMaterializedSRF(fcinfo, 0);
	rows = palloc(sizeof(gf_exporter_stats) * GF_SLOT_EXPORTERS);

	for (s = 0; s < shared->nslots; s++)
	{
		GfWorkerSlot *slot = &shared->slots[s];
		GfSlotMeta	meta;
		int			n;
		uint32		held;
		int			i;

		/* Free slots (no listener) are not shown. */
		if (!gf_slot_read(slot, &meta))
			continue;

		/* Copy under the spinlock; build datums (which may palloc) after. */
		SpinLockAcquire(&slot->exporters_lock);
		n = slot->n_exporters;
		held = slot->exporters_held;
		memcpy(rows, slot->exporters, sizeof(gf_exporter_stats) * n);
		SpinLockRelease(&slot->exporters_lock);

		for (i = 0; i < n; i++)
		{
			const gf_exporter_stats *e = &rows[i];
			Datum		values[EXP_NCOLS];
			bool		nulls[EXP_NCOLS] = {0};

			values[0] = Int32GetDatum(s);
			values[1] = exp_inet(&e->exporter);
			values[2] = exp_time(e->first_seen_ns);
			nulls[2] = e->first_seen_ns == 0;
			values[3] = exp_time(e->last_seen_ns);
			nulls[3] = e->last_seen_ns == 0;
			values[4] = Int64GetDatum((int64) e->datagrams);
			values[5] = Int64GetDatum((int64) e->templates);
			values[6] = Int64GetDatum((int64) e->template_bytes);
			values[7] = Int64GetDatum((int64) e->sampling_entries);
			values[8] = Int64GetDatum((int64) e->pending_bytes);
			values[9] = Int64GetDatum((int64) e->templates_refused);
			values[10] = Int64GetDatum((int64) e->templates_evicted);
			values[11] = Int64GetDatum((int64) e->sampling_refused);
			values[12] = Int64GetDatum((int64) e->pending_refused);
			values[13] = Int64GetDatum((int64) e->pending_evicted);
			values[14] = Int64GetDatum((int64) held);
			values[15] = Int64GetDatum((int64) (held > (uint32) n ? held - n : 0));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
