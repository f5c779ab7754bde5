/*
 * context_attach.c
 *    The snapshot this process enriches with, and the column values made
 *    from it.
 *
 *    The builder publishes each snapshot as a new dynamic shared memory
 *    segment; a process maps the newest one when its generation changes
 *    (checked once per batch: a spinlock and two loads) and unmaps the one
 *    it used.  The builder unmaps the older segments itself, so the last
 *    process to leave one frees it.  A segment can be gone by the time we
 *    map it (two rebuilds in quick succession): dsm_attach then returns
 *    NULL and we keep the old snapshot until the next batch.
 *
 *    Column values: a name or context object is turned into a Datum the
 *    first time a row needs it and kept, per entry and field, until the
 *    snapshot changes.  Context objects come as jsonb's binary form, stored
 *    by the builder in the segment: the Datum points straight into it (rows
 *    are formed before the next switch, which copies the bytes).
 */
#include "postgres.h"

#include "storage/dsm.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "context_attach.h"
#include "context_shared.h"
#include "geoip_guc.h"

static dsm_segment *ctx_seg = NULL;
static const gf_ctx_snapshot *ctx_snap = NULL;
static uint64 ctx_generation = 0;
static MemoryContext ctx_cache_cxt = NULL;
static bool ctx_invalid_logged = false;

/* Per kind, per field: one Datum per entry (0: not made yet). */
static Datum *ctx_cache[3][GF_CTXF__COUNT];
static bool *ctx_cache_null[3][GF_CTXF__COUNT];

static void
gf_context_reset_cache(void)
{
	if (ctx_cache_cxt == NULL)
		ctx_cache_cxt = AllocSetContextCreate(TopMemoryContext,
											  "goflow2plus context values",
											  ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(ctx_cache_cxt);
	memset(ctx_cache, 0, sizeof(ctx_cache));
	memset(ctx_cache_null, 0, sizeof(ctx_cache_null));
}

const gf_ctx_snapshot *
gf_context_refresh(void)
{
	GfContextShared *cs = gf_context_shared();
	uint64		generation;
	dsm_handle	handle;
	Size		bytes;
	dsm_segment *seg;
	const void *block;

	/* GeoIP databases follow their settings and files (stat at most 1/s). */
	gf_geoip_refresh_if_due();
	if (cs == NULL)
		return NULL;
	SpinLockAcquire(&cs->lock);
	generation = cs->generation;
	handle = cs->handle;
	bytes = cs->bytes;
	SpinLockRelease(&cs->lock);
	if (generation == ctx_generation || generation == 0)
		return ctx_snap;

	seg = dsm_attach(handle);
	if (seg == NULL)
		return ctx_snap;		/* replaced meanwhile: next batch */
	/* Ours until we detach it, whatever transaction is running now. */
	dsm_pin_mapping(seg);
	block = dsm_segment_address(seg);
	if (dsm_segment_map_length(seg) < bytes || !gf_ctx_valid(block, bytes, generation))
	{
		dsm_detach(seg);
		if (!ctx_invalid_logged)
			ereport(LOG,
					(errmsg("goflow2plus: context snapshot %llu in shared memory is not valid; keeping the one in use",
							(unsigned long long) generation)));
		ctx_invalid_logged = true;
		return ctx_snap;
	}
	if (ctx_seg != NULL)
		dsm_detach(ctx_seg);
	ctx_seg = seg;
	ctx_snap = (const gf_ctx_snapshot *) block;
	ctx_generation = generation;
	gf_context_reset_cache();
	return ctx_snap;
}

uint64
gf_context_generation_in_use(void)
{
	return ctx_generation;
}

gf_flow *
gf_context_enrich_batch(const gf_flow *in, int n)
{
	gf_flow    *out;
	int			i;

	if (n <= 0)
		return NULL;
	out = MemoryContextAllocExtended(CurrentMemoryContext, sizeof(gf_flow) * (Size) n,
									 MCXT_ALLOC_HUGE);
	memcpy(out, in, sizeof(gf_flow) * (Size) n);
	/*
	 * The batch call overlaps the lookups' cache misses, which decide the
	 * cost with a large table (about 3x fewer ns per flow at 1 M prefixes
	 * than one flow at a time: test/bench/bench_context.c).
	 */
	gf_ctx_enrich_many(ctx_snap, out, (size_t) n);
	if (gf_geoip_active())
		for (i = 0; i < n; i++)
			gf_geoip_apply(&out[i]);
	return out;
}

const gf_ctx_snapshot *
gf_context_snapshot_in_use(void)
{
	return ctx_snap;
}

void
gf_context_enrich_copy(const gf_flow *in, gf_flow *out)
{
	memcpy(out, in, sizeof(gf_flow));
	gf_ctx_enrich(ctx_snap, out);
	gf_geoip_apply(out);
}

static Datum
gf_context_text(const char *s, bool *isnull)
{
	if (s == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return PointerGetDatum(cstring_to_text(s));
}

static Datum
gf_context_object(const gf_ctx_object *o, bool *isnull)
{
	/*
	 * The blob is a whole jsonb varlena (4-byte header) the builder took
	 * from the table; without one there is no context to show.
	 */
	if (o->blob == NULL || o->blob_len < VARHDRSZ ||
		VARSIZE_ANY(o->blob) != o->blob_len)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return PointerGetDatum(o->blob);
}

/* Make the value of one entry's field (in ctx_cache_cxt). */
static Datum
gf_context_make(GfCtxKind kind, uint32 number, GfCtxField field, bool *isnull)
{
	*isnull = true;
	if (kind == GF_CTXK_NETWORK)
	{
		gf_ctx_network n;

		if (!gf_ctx_get_network(ctx_snap, number, &n))
			return (Datum) 0;
		if (field == GF_CTXF_NAME)
			return gf_context_text(n.name, isnull);
		if (field == GF_CTXF_CONTEXT)
			return gf_context_object(&n.context, isnull);
	}
	else if (kind == GF_CTXK_DEVICE)
	{
		gf_ctx_device d;

		if (!gf_ctx_get_device(ctx_snap, number, &d))
			return (Datum) 0;
		switch (field)
		{
			case GF_CTXF_NAME:
				return gf_context_text(d.name, isnull);
			case GF_CTXF_SITE:
				return gf_context_text(d.site, isnull);
			case GF_CTXF_ROLE:
				return gf_context_text(d.role, isnull);
			case GF_CTXF_CONTEXT:
				return gf_context_object(&d.context, isnull);
			default:
				break;
		}
	}
	else if (kind == GF_CTXK_IFACE)
	{
		gf_ctx_interface i;

		if (!gf_ctx_get_interface(ctx_snap, number, &i))
			return (Datum) 0;
		switch (field)
		{
			case GF_CTXF_NAME:
				return gf_context_text(i.name, isnull);
			case GF_CTXF_DESCRIPTION:
				return gf_context_text(i.description, isnull);
			case GF_CTXF_PROVIDER:
				return gf_context_text(i.provider, isnull);
			case GF_CTXF_BOUNDARY:
				return gf_context_text(gf_boundary_name(i.boundary), isnull);
			case GF_CTXF_SPEED:
				if (i.has_speed && i.speed <= (uint64) PG_INT64_MAX)
				{
					*isnull = false;
					return Int64GetDatum((int64) i.speed);
				}
				return (Datum) 0;
			case GF_CTXF_CONTEXT:
				return gf_context_object(&i.context, isnull);
			default:
				break;
		}
	}
	return (Datum) 0;
}

static uint32
gf_context_count(GfCtxKind kind)
{
	switch (kind)
	{
		case GF_CTXK_NETWORK:
			return gf_ctx_network_count(ctx_snap);
		case GF_CTXK_DEVICE:
			return gf_ctx_device_count(ctx_snap);
		case GF_CTXK_IFACE:
			return gf_ctx_interface_count(ctx_snap);
	}
	return 0;
}

bool
gf_context_datum(GfCtxKind kind, uint32 number, GfCtxField field, Datum *out)
{
	uint32		count;
	Datum	   *slot;
	bool	   *null_slot;

	if (number == GF_CTX_NONE || ctx_snap == NULL)
		return false;
	count = gf_context_count(kind);
	if (number > count)
		return false;
	if (ctx_cache[kind][field] == NULL)
	{
		ctx_cache[kind][field] = MemoryContextAllocExtended(ctx_cache_cxt,
															sizeof(Datum) * (Size) count,
															MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		ctx_cache_null[kind][field] = MemoryContextAllocExtended(ctx_cache_cxt,
																 sizeof(bool) * (Size) count,
																 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	}
	slot = &ctx_cache[kind][field][number - 1];
	null_slot = &ctx_cache_null[kind][field][number - 1];
	if (*slot == (Datum) 0 && !*null_slot)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx_cache_cxt);
		bool		isnull;
		Datum		d = gf_context_make(kind, number, field, &isnull);

		MemoryContextSwitchTo(old);
		if (isnull)
			*null_slot = true;
		else
			*slot = d;
	}
	if (*null_slot)
		return false;
	*out = *slot;
	return true;
}

bool
gf_rate_source_datum(uint8 source, Datum *out)
{
	static Datum cache[GF_RATE_OVERRIDE + 1];
	const char *name;

	if (source > GF_RATE_OVERRIDE)
		return false;
	name = gf_rate_source_name((gf_rate_source) source);
	if (name == NULL)
		return false;
	if (cache[source] == (Datum) 0)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		cache[source] = PointerGetDatum(cstring_to_text(name));
		MemoryContextSwitchTo(old);
	}
	*out = cache[source];
	return true;
}

bool
gf_country_datum(const char *code, Datum *out)
{
	/* Two capital letters, as ISO 3166 alpha-2: one text per code, kept. */
	static Datum cache[26 * 26];
	int			slot;

	if (code[0] == '\0')
		return false;
	if (code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z' && code[2] == '\0')
	{
		slot = (code[0] - 'A') * 26 + (code[1] - 'A');
		if (cache[slot] == (Datum) 0)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			cache[slot] = PointerGetDatum(cstring_to_text(code));
			MemoryContextSwitchTo(old);
		}
		*out = cache[slot];
		return true;
	}
	*out = PointerGetDatum(cstring_to_text_with_len(code, strnlen(code, 2)));
	return true;
}
