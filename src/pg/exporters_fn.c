/*
 * exporters_fn.c
 *    The per-exporter view: each worker copies, once a tick, its
 *    decoder's rows (one per exporter, protocol and observation domain /
 *    sFlow agent and sub-agent: traffic, sampling rates, decode errors,
 *    the sequence-gap estimate, and the address's NetFlow v9 / IPFIX
 *    holdings and refusals) into its shared slot (gf_exporters_publish),
 *    and goflow2plus.exporters() reads those copies back, one row per
 *    worker and row.  The worker also applies goflow2plus.reset_stats()
 *    to its rows here (gf_exporters_reset_if_asked).
 *
 *    A slot has room for GF_SLOT_EXPORTERS rows, and a decoder may hold
 *    thousands (spoofed sources among them), so the worker shows those an
 *    operator needs first: the most refused, then the busiest.
 *    exporters_held in each row says how many the worker holds in all.
 */
#include "postgres.h"

#include "funcapi.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#include "exporters_fn.h"
#include "gf_shmem.h"

PG_FUNCTION_INFO_V1(goflow2plus_exporters);

#define EXP_NCOLS 28

/* Gathers the top GF_SLOT_EXPORTERS by (refusals, datagrams). */
typedef struct ExpTop
{
	int			n;
	uint32		held;
	gf_exporter_row rows[GF_SLOT_EXPORTERS];
} ExpTop;

static uint64
exp_refused(const gf_exporter_row *r)
{
	const gf_exporter_stats *s = &r->nf;

	return s->templates_refused + s->templates_evicted + s->sampling_refused +
		s->pending_refused + s->pending_evicted;
}

/* True when a ranks above b. */
static bool
exp_above(const gf_exporter_row *a, const gf_exporter_row *b)
{
	if (exp_refused(a) != exp_refused(b))
		return exp_refused(a) > exp_refused(b);
	return a->datagrams > b->datagrams;
}

static void
exp_collect(void *arg, const gf_exporter_row *s)
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
gf_exporters_publish(GfWorkerSlot *slot, gf_decoder *decoder)
{
	/* Too big for the stack of a worker that may be deep in a callback. */
	static ExpTop top;

	top.n = 0;
	top.held = 0;
	gf_decoder_exporter_rows(decoder, exp_collect, &top);
	SpinLockAcquire(&slot->exporters_lock);
	slot->n_exporters = top.n;
	slot->exporters_held = top.held;
	memcpy(slot->exporters, top.rows, sizeof(gf_exporter_row) * top.n);
	SpinLockRelease(&slot->exporters_lock);
}

void
gf_exporters_reset_if_asked(GfWorkerSlot *slot, gf_decoder *decoder,
							uint64 *generation)
{
	uint64		g = pg_atomic_read_u64(&gf_shmem_get()->reset_generation);

	if (g == *generation)
		return;
	*generation = g;
	gf_decoder_reset_exporter_counts(decoder);
	gf_exporters_publish(slot, decoder);
}

/* What a row's sequence numbers count, by protocol. */
static const char *
exp_seq_unit(gf_flow_type t)
{
	switch (t)
	{
		case GF_TYPE_NETFLOW_V5:
			return "flows";
		case GF_TYPE_NETFLOW_V9:
			return "packets";
		case GF_TYPE_IPFIX:
			return "records";
		case GF_TYPE_SFLOW_5:
			return "datagrams";
		default:
			return NULL;
	}
}

static Datum
exp_rates(const gf_exporter_row *r)
{
	Datum		d[GF_ROW_RATES];
	uint32		i;

	for (i = 0; i < r->n_rates && i < GF_ROW_RATES; i++)
		d[i] = Int64GetDatum((int64) r->rates[i]);
	return PointerGetDatum(construct_array(d, (int) i, INT8OID, 8,
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
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
	gf_exporter_row *rows;
	int			s;

	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus workers are not running in this server"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));

	InitMaterializedSRF(fcinfo, 0);
	rows = palloc(sizeof(gf_exporter_row) * GF_SLOT_EXPORTERS);

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
		memcpy(rows, slot->exporters, sizeof(gf_exporter_row) * n);
		SpinLockRelease(&slot->exporters_lock);

		for (i = 0; i < n; i++)
		{
			const gf_exporter_row *r = &rows[i];
			const gf_exporter_stats *e = &r->nf;
			const char *unit = exp_seq_unit(r->type);
			Datum		values[EXP_NCOLS];
			bool		nulls[EXP_NCOLS] = {0};

			values[0] = Int32GetDatum(s);
			values[1] = exp_inet(&r->exporter);
			values[2] = exp_time(r->first_seen_ns);
			nulls[2] = r->first_seen_ns == 0;
			values[3] = exp_time(r->last_seen_ns);
			nulls[3] = r->last_seen_ns == 0;
			values[4] = Int64GetDatum((int64) r->datagrams);
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
			/* Added with the per-protocol rows; NULL for state-only rows. */
			values[16] = CStringGetTextDatum(gf_flow_type_name(r->type));
			nulls[16] = unit == NULL;
			values[17] = Int64GetDatum((int64) r->domain);
			nulls[17] = unit == NULL;
			values[18] = Int64GetDatum((int64) r->flows);
			values[19] = Int64GetDatum((int64) r->bytes);
			values[20] = Int64GetDatum((int64) r->decode_errors);
			values[21] = exp_rates(r);
			values[22] = Int64GetDatum((int64) r->last_sequence);
			nulls[22] = !r->has_sequence;
			values[23] = unit ? CStringGetTextDatum(unit) : (Datum) 0;
			nulls[23] = unit == NULL;
			values[24] = Int64GetDatum((int64) r->seq_lost);
			nulls[24] = !r->has_sequence;
			values[25] = Int64GetDatum((int64) r->seq_late);
			nulls[25] = !r->has_sequence;
			values[26] = Int64GetDatum((int64) r->seq_resets);
			nulls[26] = !r->has_sequence;
			values[27] = Int64GetDatum((int64) r->samples_lost);
			nulls[27] = r->type != GF_TYPE_SFLOW_5;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
