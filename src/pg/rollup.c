/*
 * rollup.c
 *    The in-memory aggregate of one batch for the rollup tables: an open
 *    addressing hash table keyed by (minute, sampler_address, in_if,
 *    out_if, src_as, dst_as, src_group, dst_group, proto, etype), summing
 *    bytes and packets times the sampling rate (1 when NULL or 0) and
 *    counting rows.
 *
 *    It is fed the very column values the flow rows are made of
 *    (gf_flow_datums, after enrichment), so a rollup sums exactly what
 *    goflow2plus.flows holds: NULL bytes add nothing, as sum() over the
 *    raw rows does.  Everything lives in the writer's batch context and
 *    goes with it; nothing here raises an ERROR but palloc's out of memory,
 *    which fails the flush like any other (the batch is then retried).
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "utils/datum.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#include "context.h"
#include "context_attach.h"
#include "maintenance.h"
#include "rollup.h"

#define GF_ROLLUP_COLUMN_ENTRY(col, oid, always) {#col, oid, always},
const GfColumn gf_rollup_columns[GF_ROLLUP_NCOLS] = {
	GF_ROLLUP_COLUMN_LIST(GF_ROLLUP_COLUMN_ENTRY)
};
#undef GF_ROLLUP_COLUMN_ENTRY

#define GF_ROLLUP_INITIAL	256
#define USECS_PER_MINUTE_I	INT64CONST(60000000)

struct GfRollup
{
	MemoryContext ctx;
	GfRollupRow *rows;			/* dense: the keys in order of arrival */
	int			nrows;
	int			rows_alloc;
	int32	   *slots;			/* hash slots: index into rows, or -1 */
	uint32		mask;			/* slots - 1 (a power of two minus one) */
	bool		groups;			/* keyed by src_group/dst_group too */
};

/*
 * goflow2plus.rollup_groups for this batch: auto looks at the networks of
 * the context in use (the writer refreshes it before the batch).
 */
static bool
gf_rollup_groups_now(void)
{
	if (gf_guc_rollup_groups == GF_ROLLUP_GROUPS_AUTO)
		return gf_ctx_network_count(gf_context_snapshot_in_use()) <= GF_ROLLUP_AUTO_NETWORKS;
	return gf_guc_rollup_groups == GF_ROLLUP_GROUPS_ON;
}

GfRollup *
gf_rollup_create(MemoryContext ctx)
{
	GfRollup   *r = MemoryContextAllocZero(ctx, sizeof(GfRollup));

	r->ctx = ctx;
	r->groups = gf_rollup_groups_now();
	r->rows_alloc = GF_ROLLUP_INITIAL;
	r->rows = MemoryContextAlloc(ctx, sizeof(GfRollupRow) * r->rows_alloc);
	r->mask = GF_ROLLUP_INITIAL * 2 - 1;
	r->slots = MemoryContextAlloc(ctx, sizeof(int32) * (r->mask + 1));
	memset(r->slots, 0xff, sizeof(int32) * (r->mask + 1));
	return r;
}

/* Floor division: minutes before 2000 round down too. */
static inline int64
gf_rollup_floor(int64 t, int64 step)
{
	int64		q = t / step;

	if (t % step < 0)
		q--;
	return q * step;
}

static inline uint32
gf_rollup_hash_var(uint32 h, const struct varlena *v)
{
	if (v == NULL)
		return hash_combine(h, 0x9e3779b9);
	return hash_combine(h, hash_bytes((const unsigned char *) VARDATA_ANY(v),
									  VARSIZE_ANY_EXHDR(v)));
}

static inline bool
gf_rollup_var_eq(const struct varlena *a, const struct varlena *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

static bool
gf_rollup_key_eq(const GfRollupRow *a, const GfRollupRow *b)
{
	return a->hash == b->hash && a->minute == b->minute &&
		a->in_if == b->in_if && a->out_if == b->out_if &&
		a->src_as == b->src_as && a->dst_as == b->dst_as &&
		a->proto == b->proto && a->etype == b->etype && a->nulls == b->nulls &&
		gf_rollup_var_eq(a->sampler, b->sampler) &&
		gf_rollup_var_eq(a->src_group, b->src_group) &&
		gf_rollup_var_eq(a->dst_group, b->dst_group);
}

static void
gf_rollup_rehash(GfRollup *r)
{
	uint32		nslots = (r->mask + 1) * 2;
	int			i;

	r->slots = repalloc(r->slots, sizeof(int32) * nslots);
	memset(r->slots, 0xff, sizeof(int32) * nslots);
	r->mask = nslots - 1;
	for (i = 0; i < r->nrows; i++)
	{
		uint32		s = r->rows[i].hash & r->mask;

		while (r->slots[s] >= 0)
			s = (s + 1) & r->mask;
		r->slots[s] = i;
	}
}

static inline int64
gf_rollup_int64(const Datum *values, const bool *nulls, int col, int bit,
				uint32 *nullbits)
{
	if (nulls[col])
	{
		*nullbits |= 1u << bit;
		return 0;
	}
	return DatumGetInt64(values[col]);
}

static inline int32
gf_rollup_int32(const Datum *values, const bool *nulls, int col, int bit,
				uint32 *nullbits)
{
	if (nulls[col])
	{
		*nullbits |= 1u << bit;
		return 0;
	}
	return DatumGetInt32(values[col]);
}

/* a * b, saturated: only absurd counters times rates reach it. */
static inline int64
gf_rollup_scale(int64 a, int64 b)
{
	int64		r;

	if (pg_mul_s64_overflow(a, b, &r))
		return PG_INT64_MAX;
	return r;
}

void
gf_rollup_add(GfRollup *r, const Datum *values, const bool *nulls)
{
	GfRollupRow key;
	GfRollupRow *row;
	uint32		h;
	uint32		s;
	int64		rate = 1;
	int64		bytes = 0;
	int64		packets = 0;

	memset(&key, 0, sizeof(key));
	key.minute = gf_rollup_floor(DatumGetTimestampTz(values[GF_FLOW_COL_time_received]),
								 USECS_PER_MINUTE_I);
	key.in_if = gf_rollup_int64(values, nulls, GF_FLOW_COL_in_if,
								 GF_ROLLUP_COL_in_if, &key.nulls);
	key.out_if = gf_rollup_int64(values, nulls, GF_FLOW_COL_out_if,
								 GF_ROLLUP_COL_out_if, &key.nulls);
	key.src_as = gf_rollup_int64(values, nulls, GF_FLOW_COL_src_as,
								 GF_ROLLUP_COL_src_as, &key.nulls);
	key.dst_as = gf_rollup_int64(values, nulls, GF_FLOW_COL_dst_as,
								 GF_ROLLUP_COL_dst_as, &key.nulls);
	key.proto = gf_rollup_int32(values, nulls, GF_FLOW_COL_proto,
								 GF_ROLLUP_COL_proto, &key.nulls);
	key.etype = gf_rollup_int32(values, nulls, GF_FLOW_COL_etype,
								 GF_ROLLUP_COL_etype, &key.nulls);
	/* Pointers into the caller's values: copied only for a new key. */
	key.sampler = nulls[GF_FLOW_COL_sampler_address] ? NULL :
		(struct varlena *) DatumGetPointer(values[GF_FLOW_COL_sampler_address]);
	/* goflow2plus.rollup_groups off: one key for every group (NULL) */
	key.src_group = nulls[GF_FLOW_COL_src_group] || !r->groups ? NULL :
		(struct varlena *) DatumGetPointer(values[GF_FLOW_COL_src_group]);
	key.dst_group = nulls[GF_FLOW_COL_dst_group] || !r->groups ? NULL :
		(struct varlena *) DatumGetPointer(values[GF_FLOW_COL_dst_group]);

	h = hash_bytes((const unsigned char *) &key.minute,
				   offsetof(GfRollupRow, hash) - offsetof(GfRollupRow, minute));
	h = gf_rollup_hash_var(h, key.sampler);
	h = gf_rollup_hash_var(h, key.src_group);
	h = gf_rollup_hash_var(h, key.dst_group);
	key.hash = h;

	s = h & r->mask;
	row = NULL;
	while (r->slots[s] >= 0)
	{
		if (gf_rollup_key_eq(&r->rows[r->slots[s]], &key))
		{
			row = &r->rows[r->slots[s]];
			break;
		}
		s = (s + 1) & r->mask;
	}
	if (row == NULL)
	{
		if (r->nrows >= r->rows_alloc)
		{
			r->rows_alloc *= 2;
			r->rows = repalloc(r->rows, sizeof(GfRollupRow) * r->rows_alloc);
		}
		row = &r->rows[r->nrows];
		*row = key;
		if (key.sampler)
			row->sampler = (struct varlena *)
				DatumGetPointer(datumCopy(PointerGetDatum(key.sampler), false, -1));
		if (key.src_group)
			row->src_group = (struct varlena *)
				DatumGetPointer(datumCopy(PointerGetDatum(key.src_group), false, -1));
		if (key.dst_group)
			row->dst_group = (struct varlena *)
				DatumGetPointer(datumCopy(PointerGetDatum(key.dst_group), false, -1));
		r->slots[s] = r->nrows++;
		/* Keep the table at most half full. */
		if ((uint32) r->nrows * 2 > r->mask)
			gf_rollup_rehash(r);
		row = &r->rows[r->nrows - 1];
	}

	if (!nulls[GF_FLOW_COL_sampling_rate] && DatumGetInt64(values[GF_FLOW_COL_sampling_rate]) > 0)
		rate = DatumGetInt64(values[GF_FLOW_COL_sampling_rate]);
	if (!nulls[GF_FLOW_COL_bytes])
		bytes = gf_rollup_scale(DatumGetInt64(values[GF_FLOW_COL_bytes]), rate);
	if (!nulls[GF_FLOW_COL_packets])
		packets = gf_rollup_scale(DatumGetInt64(values[GF_FLOW_COL_packets]), rate);
	if (pg_add_s64_overflow(row->bytes, bytes, &row->bytes))
		row->bytes = PG_INT64_MAX;
	if (pg_add_s64_overflow(row->packets, packets, &row->packets))
		row->packets = PG_INT64_MAX;
	row->flows++;
}

GfRollupRow *
gf_rollup_rows(GfRollup *r, int *n)
{
	*n = r->nrows;
	return r->rows;
}

void
gf_rollup_datums(const GfRollupRow *row, int64 bucket_usecs,
				 Datum *values, bool *nulls)
{
	memset(nulls, 0, sizeof(bool) * GF_ROLLUP_NCOLS);
	values[GF_ROLLUP_COL_time_received] =
		TimestampTzGetDatum(gf_rollup_floor(row->minute, bucket_usecs));
	values[GF_ROLLUP_COL_sampler_address] = PointerGetDatum(row->sampler);
	nulls[GF_ROLLUP_COL_sampler_address] = (row->sampler == NULL);
	values[GF_ROLLUP_COL_src_group] = PointerGetDatum(row->src_group);
	nulls[GF_ROLLUP_COL_src_group] = (row->src_group == NULL);
	values[GF_ROLLUP_COL_dst_group] = PointerGetDatum(row->dst_group);
	nulls[GF_ROLLUP_COL_dst_group] = (row->dst_group == NULL);
#define GF_ROLLUP_KEY(col, f, mk) \
	values[GF_ROLLUP_COL_##col] = mk(row->f); \
	nulls[GF_ROLLUP_COL_##col] = (row->nulls & (1u << GF_ROLLUP_COL_##col)) != 0;
	GF_ROLLUP_KEY(in_if, in_if, Int64GetDatum);
	GF_ROLLUP_KEY(out_if, out_if, Int64GetDatum);
	GF_ROLLUP_KEY(src_as, src_as, Int64GetDatum);
	GF_ROLLUP_KEY(dst_as, dst_as, Int64GetDatum);
	GF_ROLLUP_KEY(proto, proto, Int32GetDatum);
	GF_ROLLUP_KEY(etype, etype, Int32GetDatum);
#undef GF_ROLLUP_KEY
	values[GF_ROLLUP_COL_bytes] = Int64GetDatum(row->bytes);
	values[GF_ROLLUP_COL_packets] = Int64GetDatum(row->packets);
	values[GF_ROLLUP_COL_flows] = Int64GetDatum(row->flows);
}
