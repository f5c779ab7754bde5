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
 *    Column values.  Context objects come as jsonb's binary form, stored
 *    by the builder in the segment: the Datum points straight into it (rows
 *    are formed before the next switch, which copies the bytes).  Names
 *    are text:
 *
 *    - Networks (up to millions): made per row from the entries
 *      gf_context_enrich_copy() read for the two ends of the flow, the
 *      names into two buffers of this process that the next flow reuses
 *      (rows are formed right after their columns are made).  A per-entry
 *      cache of Datums was tried first: with 1 M networks and traffic
 *      spread over them, each end cost a cache miss on the cache row and
 *      another on the text it pointed to, more than reading the entry and
 *      copying a short name (test/bench/README.md "Context"), and every new
 *      snapshot started it cold.  A palloc per name was tried too: the
 *      writer's batch context then grew and shrank by pages every batch.
 *    - Devices and interfaces (few, many flows each): all fields of an
 *      entry are made the first time a row needs it and kept, in one row
 *      of a per-kind array, until the snapshot changes.
 */
#include "postgres.h"

#include "storage/dsm.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "context_attach.h"
#include "context_shared.h"
#include "geoip_guc.h"

static dsm_segment *ctx_seg = NULL;	/* the base */
static dsm_segment *ctx_overlay_seg = NULL;
static uint64 ctx_base_generation = 0;
/* The base alone, or the pair of base and overlay (context.h). */
static const gf_ctx_snapshot *ctx_snap = NULL;
static gf_ctx_pair ctx_pair;
static uint64 ctx_generation = 0;
static MemoryContext ctx_cache_cxt = NULL;
static bool ctx_invalid_logged = false;

/*
 * The fields each kind has, in the order of their slots in a cache row;
 * -1 where a kind has no such field.  (Networks have no rows; their table
 * says which fields they have.)
 */
#define CTX_NFIELDS_MAX 6
static const int8 ctx_slot[3][GF_CTXF__COUNT] = {
	/* NAME CONTEXT SITE ROLE DESCRIPTION SPEED BOUNDARY PROVIDER */
	[GF_CTXK_NETWORK] = {0, 1, -1, -1, -1, -1, -1, -1},
	[GF_CTXK_DEVICE] = {0, 1, 2, 3, -1, -1, -1, -1},
	[GF_CTXK_IFACE] = {0, 1, -1, -1, 2, 3, 4, 5},
};
static const int ctx_nfields[3] = {2, 4, 6};

/*
 * Per kind: one row per entry, made on first use.  Word 0 of a row holds
 * flags (CTX_ROW_MADE, and bit 1 + slot when that field is NULL); words
 * 1.. hold the Datums.  A separate flag word, because every Datum value is
 * possible (a speed of 0 or 1).
 */
#define CTX_ROW_MADE	((Datum) 1)
static Datum *ctx_rows[3];

/*
 * The networks of the flow last enriched (its source and destination), as
 * gf_context_enrich_copy() read them; number GF_CTX_NONE when unset.  The
 * writer makes a row's columns right after enriching it, so these answer
 * both of an end's fields with one read of the entry.
 */
typedef struct CtxEnd
{
	uint32		number;
	gf_ctx_network net;
} CtxEnd;
static CtxEnd ctx_end[2];

/*
 * Batched enrichment (gf_context_enriched): CTX_CHUNK flows of the
 * writer's batch enriched together, so the cache misses of their prefix
 * lookups (gf_ctx_enrich_many) and of their entries overlap instead of
 * coming one after the other.  ctx_cur_end is the pair of ends the next
 * gf_context_datum() calls answer from: ctx_end after
 * gf_context_enrich_copy(), a chunk's pair after gf_context_enriched().
 */
#define CTX_CHUNK 32
static gf_flow ctx_chunk[CTX_CHUNK];
static CtxEnd ctx_chunk_end[CTX_CHUNK][2];
static const gf_flow *ctx_chunk_recs = NULL;
static int	ctx_chunk_first;
static int	ctx_chunk_n;
static CtxEnd *ctx_cur_end = ctx_end;

/* The two ends' names as text, reused row after row (grown as needed). */
static text *ctx_end_text[2];
static Size ctx_end_text_cap[2];

static void
gf_context_reset_cache(void)
{
	if (ctx_cache_cxt == NULL)
		ctx_cache_cxt = AllocSetContextCreate(TopMemoryContext,
											  "goflow2plus context values",
											  ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(ctx_cache_cxt);
	memset(ctx_rows, 0, sizeof(ctx_rows));
	ctx_end[0].number = GF_CTX_NONE;
	ctx_end[1].number = GF_CTX_NONE;
	ctx_chunk_recs = NULL;
	ctx_cur_end = ctx_end;
}

/* Map segment 'handle' and check it; NULL (logged once) when it is gone or not valid. */
static dsm_segment *
gf_context_map(dsm_handle handle, Size bytes, uint64 generation)
{
	dsm_segment *seg = dsm_attach(handle);

	if (seg == NULL)
		return NULL;			/* replaced meanwhile: next batch */
	/* Ours until we detach it, whatever transaction is running now. */
	dsm_pin_mapping(seg);
	if (dsm_segment_map_length(seg) < bytes ||
		!gf_ctx_valid(dsm_segment_address(seg), bytes, generation))
	{
		dsm_detach(seg);
		if (!ctx_invalid_logged)
			ereport(LOG,
					(errmsg("goflow2plus: context snapshot %llu in shared memory is not valid; keeping the one in use",
							(unsigned long long) generation)));
		ctx_invalid_logged = true;
		return NULL;
	}
	return seg;
}

/*
 * Follow what the builder published: a new base, a new overlay, or both.
 * Nothing in use changes until everything needed is mapped and checked.
 */
const gf_ctx_snapshot *
gf_context_refresh(void)
{
	GfContextShared *cs = gf_context_shared();
	uint64		generation;
	uint64		base_generation;
	dsm_handle	handle;
	Size		bytes;
	dsm_handle	overlay_handle;
	Size		overlay_bytes;
	dsm_segment *base_seg;
	dsm_segment *overlay_seg = NULL;
	const gf_ctx_snapshot *base;
	const gf_ctx_snapshot *snap;

	/* A new batch may sit in the same array as the last one. */
	ctx_chunk_recs = NULL;
	/* GeoIP databases follow their settings and files (stat at most 1/s). */
	gf_geoip_refresh_if_due();
	if (cs == NULL)
		return NULL;
	SpinLockAcquire(&cs->lock);
	generation = cs->generation;
	base_generation = cs->base_generation;
	handle = cs->handle;
	bytes = cs->bytes;
	overlay_handle = cs->overlay_handle;
	overlay_bytes = cs->overlay_bytes;
	SpinLockRelease(&cs->lock);
	if (generation == ctx_generation || generation == 0)
		return ctx_snap;

	base_seg = ctx_seg;
	if (base_generation != ctx_base_generation || ctx_seg == NULL)
	{
		base_seg = gf_context_map(handle, bytes, base_generation);
		if (base_seg == NULL)
			return ctx_snap;
	}
	base = (const gf_ctx_snapshot *) dsm_segment_address(base_seg);
	snap = base;
	if (overlay_handle != DSM_HANDLE_INVALID && generation != base_generation)
	{
		gf_ctx_pair pair;

		overlay_seg = gf_context_map(overlay_handle, overlay_bytes, generation);
		if (overlay_seg != NULL &&
			gf_ctx_pair_init(&pair, base,
							 (const gf_ctx_snapshot *) dsm_segment_address(overlay_seg)) == NULL)
		{
			dsm_detach(overlay_seg);
			overlay_seg = NULL;
		}
		if (overlay_seg == NULL)
		{
			if (base_seg != ctx_seg)
				dsm_detach(base_seg);
			return ctx_snap;
		}
		ctx_pair = pair;
		snap = (const gf_ctx_snapshot *) &ctx_pair;
	}
	if (ctx_overlay_seg != NULL)
		dsm_detach(ctx_overlay_seg);
	if (ctx_seg != NULL && ctx_seg != base_seg)
		dsm_detach(ctx_seg);
	ctx_seg = base_seg;
	ctx_overlay_seg = overlay_seg;
	ctx_base_generation = base_generation;
	ctx_snap = snap;
	ctx_generation = generation;
	gf_context_reset_cache();
	return ctx_snap;
}

uint64
gf_context_generation_in_use(void)
{
	return ctx_generation;
}

const gf_ctx_snapshot *
gf_context_snapshot_in_use(void)
{
	return ctx_snap;
}

/* Read one end's network entry into e (number GF_CTX_NONE: none). */
static inline void
gf_context_read_end(CtxEnd *e, uint32 number)
{
	e->number = GF_CTX_NONE;
	if (number != GF_CTX_NONE && gf_ctx_get_network(ctx_snap, number, &e->net))
	{
		e->number = number;
#if defined(__GNUC__) || defined(__clang__)
		/* Wanted when the row is formed, after the remaining columns. */
		if (e->net.name != NULL)
			__builtin_prefetch(e->net.name);
		if (e->net.context.blob != NULL)
			__builtin_prefetch(e->net.context.blob);
#endif
	}
}

/*
 * *out = *in, but only the fixed part and the used part of each array:
 * the whole struct is nearly three times the fixed part, and this runs
 * once per row.
 */
static inline void
gf_context_copy_flow(const gf_flow *in, gf_flow *out)
{
	uint16		nas = Min(in->n_as_path, GF_MAX_AS_PATH);
	uint16		ncom = Min(in->n_communities, GF_MAX_COMMUNITIES);
	uint16		nmpls = Min(in->n_mpls, GF_MAX_MPLS);

	memcpy(out, in, offsetof(gf_flow, as_path));
	out->n_as_path = nas;
	out->n_communities = ncom;
	out->n_mpls = nmpls;
	memcpy(out->as_path, in->as_path, sizeof(uint32) * nas);
	memcpy(out->bgp_communities, in->bgp_communities, sizeof(uint32) * ncom);
	memcpy(out->mpls_label, in->mpls_label, sizeof(uint32) * nmpls);
	gf_flow_copy_extra(out, in);
}

const gf_flow *
gf_context_enriched(const gf_flow *recs, int n, int i)
{
	int			k;

	if (recs != ctx_chunk_recs || i < ctx_chunk_first ||
		i >= ctx_chunk_first + ctx_chunk_n)
	{
		ctx_chunk_recs = NULL;
		ctx_chunk_n = Min(CTX_CHUNK, n - i);
		for (k = 0; k < ctx_chunk_n; k++)
			gf_context_copy_flow(&recs[i + k], &ctx_chunk[k]);
		gf_ctx_enrich_many(ctx_snap, ctx_chunk, (size_t) ctx_chunk_n);
		if (gf_geoip_active())
			for (k = 0; k < ctx_chunk_n; k++)
				gf_geoip_apply(&ctx_chunk[k]);
		/* The entries of all ends: asked for first, so their misses overlap. */
		for (k = 0; k < ctx_chunk_n; k++)
		{
			gf_ctx_prefetch_network(ctx_snap, ctx_chunk[k].ctx_src_network);
			gf_ctx_prefetch_network(ctx_snap, ctx_chunk[k].ctx_dst_network);
		}
		for (k = 0; k < ctx_chunk_n; k++)
		{
			gf_context_read_end(&ctx_chunk_end[k][0], ctx_chunk[k].ctx_src_network);
			gf_context_read_end(&ctx_chunk_end[k][1], ctx_chunk[k].ctx_dst_network);
		}
		ctx_chunk_recs = recs;
		ctx_chunk_first = i;
	}
	k = i - ctx_chunk_first;
	ctx_cur_end = ctx_chunk_end[k];
	return &ctx_chunk[k];
}

void
gf_context_enrich_copy(const gf_flow *in, gf_flow *out)
{
	gf_context_copy_flow(in, out);
	gf_ctx_enrich(ctx_snap, out);
	gf_geoip_apply(out);

	/*
	 * The two ends' entries, read now: with a large table each is a cache
	 * miss (so are their name and context), and the two reads do not
	 * depend on each other, so the misses overlap.
	 */
	gf_context_read_end(&ctx_end[0], out->ctx_src_network);
	gf_context_read_end(&ctx_end[1], out->ctx_dst_network);
	ctx_cur_end = ctx_end;
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

/* Make the values of every field of a device or interface (in ctx_cache_cxt) into row. */
static void
gf_context_make_row(GfCtxKind kind, uint32 number, Datum *row)
{
	const int8 *slot = ctx_slot[kind];
	const char *text[CTX_NFIELDS_MAX] = {0};
	gf_ctx_object object;
	bool		found = false;
	bool		has_speed = false;
	int64		speed = 0;
	Datum		flags = CTX_ROW_MADE;
	int			f;

	memset(&object, 0, sizeof(object));
	if (kind == GF_CTXK_DEVICE)
	{
		gf_ctx_device d;

		if ((found = gf_ctx_get_device(ctx_snap, number, &d)))
		{
			text[slot[GF_CTXF_NAME]] = d.name;
			text[slot[GF_CTXF_SITE]] = d.site;
			text[slot[GF_CTXF_ROLE]] = d.role;
			object = d.context;
		}
	}
	else if (kind == GF_CTXK_IFACE)
	{
		gf_ctx_interface i;

		if ((found = gf_ctx_get_interface(ctx_snap, number, &i)))
		{
			text[slot[GF_CTXF_NAME]] = i.name;
			text[slot[GF_CTXF_DESCRIPTION]] = i.description;
			text[slot[GF_CTXF_BOUNDARY]] = gf_boundary_name(i.boundary);
			text[slot[GF_CTXF_PROVIDER]] = i.provider;
			object = i.context;
			has_speed = i.has_speed && i.speed <= (uint64) PG_INT64_MAX;
			speed = has_speed ? (int64) i.speed : 0;
		}
	}
	for (f = 0; f < ctx_nfields[kind]; f++)
	{
		bool		isnull = true;

		row[1 + f] = (Datum) 0;
		if (!found)
			;					/* an entry that is gone: every field NULL */
		else if (f == slot[GF_CTXF_CONTEXT])
			row[1 + f] = gf_context_object(&object, &isnull);
		else if (f == slot[GF_CTXF_SPEED])
		{
			if (has_speed)
			{
				row[1 + f] = Int64GetDatum(speed);
				isnull = false;
			}
		}
		else
			row[1 + f] = gf_context_text(text[f], &isnull);
		if (isnull)
			flags |= (Datum) 1 << (1 + f);
	}
	row[0] = flags;
}

/* A network's field, made for this row (see the file header). */
static bool
gf_context_network_datum(uint32 number, GfCtxField field, Datum *out)
{
	gf_ctx_network other;
	const gf_ctx_network *n;
	bool		isnull;

	int			end = -1;

	if (ctx_cur_end[0].number == number)
		end = 0;
	else if (ctx_cur_end[1].number == number)
		end = 1;
	if (end >= 0)
		n = &ctx_cur_end[end].net;
	else if (gf_ctx_get_network(ctx_snap, number, &other))
		n = &other;
	else
		return false;
	if (field != GF_CTXF_NAME)
		*out = gf_context_object(&n->context, &isnull);
	else if (n->name == NULL)
		isnull = true;
	else if (end < 0)
		*out = gf_context_text(n->name, &isnull);	/* not from enrich_copy */
	else
	{
		Size		len = strlen(n->name);
		Size		need = VARHDRSZ + len;

		if (need > ctx_end_text_cap[end])
		{
			Size		cap = Max(need, 64);

			if (ctx_end_text[end] != NULL)
				pfree(ctx_end_text[end]);
			ctx_end_text[end] = MemoryContextAlloc(TopMemoryContext, cap);
			ctx_end_text_cap[end] = cap;
		}
		SET_VARSIZE(ctx_end_text[end], need);
		memcpy(VARDATA(ctx_end_text[end]), n->name, len);
		*out = PointerGetDatum(ctx_end_text[end]);
		isnull = false;
	}
	return !isnull;
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
	int			slot = ctx_slot[kind][field];
	Size		stride = 1 + (Size) ctx_nfields[kind];
	uint32		count;
	Datum	   *row;

	if (number == GF_CTX_NONE || ctx_snap == NULL || slot < 0)
		return false;
	if (kind == GF_CTXK_NETWORK)
		return gf_context_network_datum(number, field, out);
	if (ctx_rows[kind] == NULL)
	{
		count = gf_context_count(kind);
		if (count == 0)
			return false;
		/* Zeroed pages come from the kernel as rows are first touched. */
		ctx_rows[kind] = MemoryContextAllocExtended(ctx_cache_cxt,
													sizeof(Datum) * stride * (Size) count,
													MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	}
	else
		count = gf_context_count(kind);
	if (number > count)
		return false;
	row = &ctx_rows[kind][(Size) (number - 1) * stride];
	if (row[0] == 0)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx_cache_cxt);

		gf_context_make_row(kind, number, row);
		MemoryContextSwitchTo(old);
	}
	if (row[0] & ((Datum) 1 << (1 + slot)))
		return false;
	*out = row[1 + slot];
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
