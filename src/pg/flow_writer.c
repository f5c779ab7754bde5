/*
 * flow_writer.c
 *    The batch writer: buffers flow records, interface counters and sFlow
 *    drop samples, and at flush time inserts them into goflow2plus.flows,
 *    goflow2plus.interface_counters and goflow2plus.sflow_drops.
 *
 *    Three paths, chosen per table at every flush from relcache
 *    information (a few field tests, no catalog scans): heap multi-insert,
 *    heap multi-insert with index maintenance, and an SPI INSERT ... SELECT
 *    unnest() that gives the executor everything a user's INSERT gets.
 *    Which table state sends a flush down which path, and why, is in
 *    src/pg/README.md, "The table writer: three paths".
 *
 *    A table partitioned by range of time_received (goflow2plus.flows as
 *    installed) is written partition by partition on the same fast paths:
 *    each row routed by binary search over bounds cached from the
 *    relcache (dropped on a relcache invalidation of the parent), a batch
 *    split where it spans partitions.  The flows' column values also feed
 *    the batch's rollup (rollup.c), written after them to flows_1m,
 *    flows_5m and flows_1h in the same transaction.
 *
 *    The table is looked up by name (RowExclusiveLock) at every flush, so a
 *    DROP/CREATE EXTENSION between two flushes is harmless; the prepared
 *    statement is re-made when the table's row type changes.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/hio.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "catalog/pg_am_d.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "context_attach.h"
#include "flow_tuple.h"
#include "flow_writer.h"
#include "goflow2plus.h"
#include "maintenance.h"
#include "rollup.h"

#define GF_SCHEMA "goflow2plus"

/* One target table: what to write and the statement cached for it. */
typedef struct GfTarget
{
	const char *relname;
	const char *qualname;		/* for messages */
	const GfColumn *cols;
	int			ncols;
	void		(*to_datums) (const void *rec, Datum *values, bool *nulls);
	Size		recsize;
	/* Unix ns the row is received at: routes it to a time partition. */
	uint64		(*time_ns) (const void *rec);
	/* A missing table is skipped (the rollups), not an error. */
	bool		optional;

	/*
	 * fast path: slots made once and kept, with our own copy of the
	 * table's descriptor (an unpinned copy, so nothing to release per
	 * flush); re-made when the table's descriptor changes.
	 */
	TupleDesc	slot_desc;
	TupleTableSlot **slots;
	int			nslots;

	/* general path: prepared INSERT ... SELECT FROM unnest($1) */
	SPIPlanPtr	plan;
	Oid			plan_argtype;	/* array type the plan was made for */
} GfTarget;

struct GfWriter
{
	MemoryContext ctx;			/* the writer and its buffers */
	MemoryContext batch_ctx;	/* datums and tuples of one flush */
	int			capacity;

	gf_flow    *flows;
	int			nflows;
	int			flows_alloc;
	gf_ifcounters *ifc;
	int			nifc;
	int			ifc_alloc;
	GfDropRow  *drops;			/* allocated on the first drop sample */
	int			ndrops;
	int			drops_alloc;
	uint64		dropped;		/* records refused for want of memory */
	GfWriterCounts written;		/* by the last successful flush */

	GfTarget	flows_target;
	GfTarget	ifc_target;
	GfTarget	drop_target;
	GfTarget	rollup_target[3];	/* flows_1m, flows_5m, flows_1h */

	/* Rows routed to the default partition / batches split, by this flush. */
	uint64		flush_default_rows;
	bool		flush_split;

	/* goflow2plus.bulk_insert_ring = kept: the ring, made once. */
	BufferAccessStrategy kept_ring;
};

/* The rollup tables and their buckets. */
static const struct
{
	const char *relname;
	const char *qualname;
	int64		bucket_usecs;
}			gf_rollup_tables[3] = {
	{"flows_1m", "goflow2plus.flows_1m", INT64CONST(60) * USECS_PER_SEC},
	{"flows_5m", "goflow2plus.flows_5m", INT64CONST(300) * USECS_PER_SEC},
	{"flows_1h", "goflow2plus.flows_1h", INT64CONST(3600) * USECS_PER_SEC},
};

/* First allocation for drop rows: they are rare, and 300 bytes each. */
#define GF_WRITER_DROPS_INITIAL	16
/* Bytes of the batch context kept from one flush to the next. */
#define GF_WRITER_BATCH_KEEP	(4 * 1024 * 1024)

/*
 * Flows are enriched here, as their rows are made, with the context
 * snapshot gf_writer_flush() took: a record waiting in the batch or the
 * spool gets the context in use when it is written, and its ctx_*
 * numbers can never meet another snapshot's entries.  The copies keep the
 * received records as they came for a retry.  The flows of the batch
 * being written are enriched 32 at a time (gf_context_enriched), which
 * overlaps the cache misses of a large table without copying the batch.
 */
static const gf_flow *gf_flush_flows = NULL;
static int	gf_flush_nflows = 0;

/*
 * The rollup of the flows being written (NULL when rollups are off): fed
 * the values of every flow row as it is made, on whichever path.
 */
static GfRollup *gf_flush_rollup = NULL;
/* Bucket of the rollup table being written (gf_rollup_to_datums_cb). */
static int64 gf_flush_bucket_usecs = 0;

static void
gf_flow_to_datums_cb(const void *rec, Datum *values, bool *nulls)
{
	const gf_flow *f = (const gf_flow *) rec;
	gf_flow		enriched;

	if (gf_flush_flows != NULL && f >= gf_flush_flows &&
		f < gf_flush_flows + gf_flush_nflows)
		gf_flow_datums(gf_context_enriched(gf_flush_flows, gf_flush_nflows,
										   (int) (f - gf_flush_flows)),
					   values, nulls);
	else
	{
		gf_context_enrich_copy(f, &enriched);
		gf_flow_datums(&enriched, values, nulls);
	}
	if (gf_flush_rollup != NULL)
		gf_rollup_add(gf_flush_rollup, values, nulls);
}

static void
gf_rollup_to_datums_cb(const void *rec, Datum *values, bool *nulls)
{
	gf_rollup_datums((const GfRollupRow *) rec, gf_flush_bucket_usecs, values, nulls);
}

static uint64
gf_flow_time_cb(const void *rec)
{
	return ((const gf_flow *) rec)->time_received_ns;
}

static uint64
gf_ifc_time_cb(const void *rec)
{
	return ((const gf_ifcounters *) rec)->time_received_ns;
}

static uint64
gf_drop_time_cb(const void *rec)
{
	return ((const GfDropRow *) rec)->time_received_ns;
}

static void
gf_ifc_to_datums_cb(const void *rec, Datum *values, bool *nulls)
{
	gf_ifcounters_datums((const gf_ifcounters *) rec, values, nulls);
}

static void
gf_drop_to_datums_cb(const void *rec, Datum *values, bool *nulls)
{
	gf_drop_datums((const GfDropRow *) rec, values, nulls);
}

GfWriter *
gf_writer_create(MemoryContext parent, int capacity)
{
	MemoryContext ctx;
	GfWriter   *w;
	int			i;

	if (capacity < 1)
		capacity = 1;
	ctx = AllocSetContextCreate(parent, "goflow2plus writer",
								ALLOCSET_DEFAULT_SIZES);
	w = (GfWriter *) MemoryContextAllocZero(ctx, sizeof(GfWriter));
	w->ctx = ctx;
	/*
	 * A batch's tuples take a few MB (5000 enriched flow rows: about 2 MB).
	 * With default sizes every reset handed the blocks back to malloc,
	 * which gave the pages back to the kernel, and the next batch faulted
	 * them in again (6 % of a worker's time at 1 M networks).  The first
	 * block is kept across resets: size it for a typical batch.
	 */
	w->batch_ctx = AllocSetContextCreate(ctx, "goflow2plus writer batch",
										 GF_WRITER_BATCH_KEEP, GF_WRITER_BATCH_KEEP,
										 ALLOCSET_DEFAULT_MAXSIZE);
	w->capacity = capacity;
	w->flows_alloc = capacity;
	w->flows = (gf_flow *) MemoryContextAllocHuge(ctx, sizeof(gf_flow) * (Size) capacity);
	w->ifc_alloc = capacity;
	w->ifc = (gf_ifcounters *) MemoryContextAllocHuge(ctx, sizeof(gf_ifcounters) * (Size) capacity);

	w->flows_target.relname = "flows";
	w->flows_target.qualname = GF_SCHEMA ".flows";
	w->flows_target.cols = gf_flow_columns;
	w->flows_target.ncols = GF_FLOW_NCOLS;
	w->flows_target.to_datums = gf_flow_to_datums_cb;
	w->flows_target.recsize = sizeof(gf_flow);
	w->flows_target.time_ns = gf_flow_time_cb;

	w->ifc_target.relname = "interface_counters";
	w->ifc_target.qualname = GF_SCHEMA ".interface_counters";
	w->ifc_target.cols = gf_ifcounters_columns;
	w->ifc_target.ncols = GF_IFCOUNTERS_NCOLS;
	w->ifc_target.to_datums = gf_ifc_to_datums_cb;
	w->ifc_target.recsize = sizeof(gf_ifcounters);
	w->ifc_target.time_ns = gf_ifc_time_cb;

	w->drop_target.relname = "sflow_drops";
	w->drop_target.qualname = GF_SCHEMA ".sflow_drops";
	w->drop_target.cols = gf_drop_columns;
	w->drop_target.ncols = GF_DROP_NCOLS;
	w->drop_target.to_datums = gf_drop_to_datums_cb;
	w->drop_target.recsize = sizeof(GfDropRow);
	w->drop_target.time_ns = gf_drop_time_cb;

	for (i = 0; i < 3; i++)
	{
		GfTarget   *t = &w->rollup_target[i];

		t->relname = gf_rollup_tables[i].relname;
		t->qualname = gf_rollup_tables[i].qualname;
		t->cols = gf_rollup_columns;
		t->ncols = GF_ROLLUP_NCOLS;
		t->to_datums = gf_rollup_to_datums_cb;
		t->recsize = sizeof(GfRollupRow);
		t->optional = true;
	}
	return w;
}

/*
 * A full batch is reported to the caller, who should flush; if it adds
 * more anyway (a worker can only flush between datagrams) the buffer
 * grows rather than losing a record.  The add functions run inside the
 * core decoder's sink callbacks, where an ERROR would longjmp out of the
 * decoder half way through a datagram, so growing never raises: when
 * memory runs out the record is dropped and counted instead.
 */
static bool
gf_writer_grow(MemoryContext ctx, void **buf, int *alloc, int used, Size recsize)
{
	int			n = *alloc * 2;
	void	   *nb;

	if (n <= *alloc || (Size) n > MaxAllocHugeSize / recsize)
		return false;
	nb = MemoryContextAllocExtended(ctx, recsize * (Size) n,
									MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (nb == NULL)
		return false;
	memcpy(nb, *buf, recsize * (Size) used);
	pfree(*buf);
	*buf = nb;
	*alloc = n;
	return true;
}

bool
gf_writer_add_flow(GfWriter *w, const gf_flow *f)
{
	gf_flow    *dst;

	if (w->nflows >= w->flows_alloc &&
		!gf_writer_grow(w->ctx, (void **) &w->flows, &w->flows_alloc,
						w->nflows, sizeof(gf_flow)))
	{
		w->dropped++;
		return true;
	}
	dst = &w->flows[w->nflows++];

	/*
	 * Copy the fixed part and only the used part of the arrays: most flows
	 * carry no AS path or communities, and the full struct is mostly array.
	 */
	memcpy(dst, f, offsetof(gf_flow, as_path));
	dst->n_as_path = Min(f->n_as_path, GF_MAX_AS_PATH);
	dst->n_communities = Min(f->n_communities, GF_MAX_COMMUNITIES);
	dst->n_mpls = Min(f->n_mpls, GF_MAX_MPLS);
	memcpy(dst->as_path, f->as_path, sizeof(uint32_t) * dst->n_as_path);
	memcpy(dst->bgp_communities, f->bgp_communities, sizeof(uint32_t) * dst->n_communities);
	memcpy(dst->mpls_label, f->mpls_label, sizeof(uint32_t) * dst->n_mpls);
	gf_flow_copy_extra(dst, f);
	return gf_writer_count(w) >= w->capacity;
}

bool
gf_writer_add_ifcounters(GfWriter *w, const gf_ifcounters *c)
{
	if (w->nifc >= w->ifc_alloc &&
		!gf_writer_grow(w->ctx, (void **) &w->ifc, &w->ifc_alloc,
						w->nifc, sizeof(gf_ifcounters)))
	{
		w->dropped++;
		return true;
	}
	w->ifc[w->nifc++] = *c;
	return gf_writer_count(w) >= w->capacity;
}

/*
 * Room for one more drop row (the buffer is allocated on the first drop
 * sample); NULL, counted, when there is no memory for it.
 */
static GfDropRow *
gf_writer_next_drop(GfWriter *w)
{
	if (w->drops == NULL)
	{
		w->drops = (GfDropRow *)
			MemoryContextAllocExtended(w->ctx,
									   sizeof(GfDropRow) * GF_WRITER_DROPS_INITIAL,
									   MCXT_ALLOC_NO_OOM);
		if (w->drops == NULL)
		{
			w->dropped++;
			return NULL;
		}
		w->drops_alloc = GF_WRITER_DROPS_INITIAL;
	}
	if (w->ndrops >= w->drops_alloc &&
		!gf_writer_grow(w->ctx, (void **) &w->drops, &w->drops_alloc,
						w->ndrops, sizeof(GfDropRow)))
	{
		w->dropped++;
		return NULL;
	}
	return &w->drops[w->ndrops++];
}

bool
gf_writer_add_drop(GfWriter *w, const gf_drop_sample *d)
{
	GfDropRow  *row = gf_writer_next_drop(w);

	if (row == NULL)
		return true;
	/* The header is copied: it points into a datagram buffer reused later. */
	gf_drop_row_fill(row, d);
	return gf_writer_count(w) >= w->capacity;
}

bool
gf_writer_add_drop_row(GfWriter *w, const GfDropRow *src)
{
	GfDropRow  *row = gf_writer_next_drop(w);

	if (row == NULL)
		return true;
	*row = *src;
	return gf_writer_count(w) >= w->capacity;
}

uint64
gf_writer_dropped(GfWriter *w)
{
	return w->dropped;
}

int
gf_writer_count(GfWriter *w)
{
	return w->nflows + w->nifc + w->ndrops;
}

const GfWriterCounts *
gf_writer_written(GfWriter *w)
{
	return &w->written;
}

typedef enum GfPath
{
	GF_PATH_HEAP,				/* table_multi_insert only */
	GF_PATH_HEAP_INDEXES,		/* table_multi_insert + index inserts */
	GF_PATH_SQL					/* SPI INSERT: the executor does it all */
} GfPath;

static const char *const gf_path_names[] = {
	"heap multi-insert",
	"heap multi-insert + index inserts",
	"INSERT (triggers, constraints, rules, partitions, RLS, user columns)"
};

/*
 * Which path may this flush take?  Everything tested here is in the
 * relcache entry already, so this costs nothing next to the insert.
 */
static GfPath
gf_writer_choose_path(Relation rel, const GfColumnMap *map, const GfTarget *t,
					  bool routed)
{
	TupleDesc	td = RelationGetDescr(rel);
	Form_pg_class cls = rel->rd_rel;
	int			i;

	if (cls->relkind != RELKIND_RELATION || cls->relam != HEAP_TABLE_AM_OID)
		return GF_PATH_SQL;

	/*
	 * A partition has a constraint to check, unless the writer routed the
	 * rows itself by the parent's bounds (gf_writer_flush_partitioned).
	 */
	if (cls->relispartition && !routed)
		return GF_PATH_SQL;
	/*
	 * Not relhastriggers/relhasrules: they stay true after the last trigger
	 * or rule is dropped, while the relcache's lists are exact.
	 */
	if (rel->trigdesc != NULL || rel->rd_rules != NULL)
		return GF_PATH_SQL;
	if (cls->relrowsecurity)
		return GF_PATH_SQL;
	if (!map->complete)			/* user columns may have defaults */
		return GF_PATH_SQL;
	if (td->constr != NULL)
	{
		if (td->constr->num_check > 0 || td->constr->has_generated_stored)
			return GF_PATH_SQL;
		if (td->constr->has_not_null)
		{
			for (i = 0; i < td->natts; i++)
			{
				Form_pg_attribute att = TupleDescAttr(td, i);

				if (att->attnotnull && !att->attisdropped &&
					(map->src[i] < 0 || !t->cols[map->src[i]].always_set))
					return GF_PATH_SQL;
			}
		}
	}
	if (cls->relhasindex)
	{
		/* relhasindex can stay true after DROP INDEX; ask the relcache. */
		List	   *idx = RelationGetIndexList(rel);
		bool		none = (idx == NIL);

		list_free(idx);
		if (!none)
			return GF_PATH_HEAP_INDEXES;
	}
	return GF_PATH_HEAP;
}

/* Drop a target's fast-path slots and descriptor copy. */
static void
gf_writer_drop_slots(GfTarget *t)
{
	int			i;

	for (i = 0; i < t->nslots; i++)
		ExecDropSingleTupleTableSlot(t->slots[i]);
	if (t->slots)
		pfree(t->slots);
	if (t->slot_desc)
		FreeTupleDesc(t->slot_desc);
	t->slots = NULL;
	t->nslots = 0;
	t->slot_desc = NULL;
}

/* The target's slot array, for descriptor td, grown to hold n tuples. */
static void
gf_writer_ensure_slots(GfWriter *w, GfTarget *t, TupleDesc td, int n)
{
	MemoryContext old;

	if (t->slot_desc != NULL && !equalTupleDescs(t->slot_desc, td))
		gf_writer_drop_slots(t);
	if (t->slot_desc != NULL && t->nslots >= n)
		return;
	old = MemoryContextSwitchTo(w->ctx);
	if (t->slot_desc == NULL)
	{
		/*
		 * With its constraints, so that equalTupleDescs() above says "same"
		 * for an unchanged table instead of re-making the slots every flush.
		 */
		t->slot_desc = CreateTupleDescCopyConstr(td);
	}
	if (t->slots == NULL)
		t->slots = (TupleTableSlot **) palloc0(sizeof(TupleTableSlot *) * n);
	else
		t->slots = (TupleTableSlot **) repalloc(t->slots, sizeof(TupleTableSlot *) * n);
	for (; t->nslots < n; t->nslots++)
		t->slots[t->nslots] = MakeTupleTableSlot(t->slot_desc, &TTSOpsHeapTuple);
	MemoryContextSwitchTo(old);
}

/* Empty the slots before the batch memory their tuples live in goes away. */
static void
gf_writer_clear_slots(GfTarget *t)
{
	int			i;

	for (i = 0; i < t->nslots; i++)
		if (!TTS_EMPTY(t->slots[i]))
			ExecClearTuple(t->slots[i]);
}

/*
 * Add the rows just put in the heap to every index of rel, as COPY does
 * after a multi-insert: the slots carry the new TIDs.
 */
static void
gf_writer_insert_index_entries(Relation rel, TupleTableSlot **slots, int n)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	int			i;

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	for (i = 0; i < n; i++)
	{
		/* Deferred rechecks only come with deferrable constraints: none. */
		(void) ExecInsertIndexTuples(rri, slots[i], estate, false, false,
									 NULL, NIL);
		ResetPerTupleExprContext(estate);
	}
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * The BulkInsertState of one multi-insert, as goflow2plus.bulk_insert_ring
 * says.  It always keeps the current target page pinned between the
 * batch's tuples; what changes is where new pages come from.  "batch" is
 * PostgreSQL's own (COPY's) choice, a BULKWRITE ring made per call: a
 * batch of a few MB never fills its 16 MB, so its pages come from the
 * clock sweep like any others.  "kept" reuses one ring across batches, so
 * the worker itself writes every page it filled once the ring comes round
 * (an unlogged page costs no WAL, but it is copied to the kernel on this
 * process's CPU).  "off" takes pages from the whole pool, where the
 * background writer may have cleaned them first.  Measured
 * (test/bench/bench_ring.sh): batch and off the same; kept the same CPU
 * but it keeps a busy background writer from taking the page writes.
 */
static BulkInsertState
gf_writer_bulk_state(GfWriter *w)
{
	BulkInsertState bis = GetBulkInsertState();

	if (gf_guc_bulk_insert_ring == GF_BULK_RING_BATCH)
		return bis;
	FreeAccessStrategy(bis->strategy);
	bis->strategy = NULL;
	if (gf_guc_bulk_insert_ring == GF_BULK_RING_KEPT)
	{
		if (w->kept_ring == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(w->ctx);

			w->kept_ring = GetAccessStrategy(BAS_BULKWRITE);
			MemoryContextSwitchTo(old);
		}
		bis->strategy = w->kept_ring;
	}
	return bis;
}

/*
 * Rows recs[order[0..n)] (recs[0..n) when order is NULL) straight into
 * the heap of rel, and its indexes when with_indexes.
 */
static uint64
gf_writer_insert_fast(GfWriter *w, Relation rel, const GfColumnMap *map,
					  GfTarget *t, const char *recs, const int *order, int n,
					  bool with_indexes)
{
	TupleDesc	td = RelationGetDescr(rel);
	Datum	   *src_values = palloc(sizeof(Datum) * t->ncols);
	bool	   *src_nulls = palloc(sizeof(bool) * t->ncols);
	Datum	   *values = palloc(sizeof(Datum) * td->natts);
	bool	   *nulls = palloc(sizeof(bool) * td->natts);
	BulkInsertState bis;
	CommandId	cid = GetCurrentCommandId(true);
	int			i;

	gf_writer_ensure_slots(w, t, td, n);
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup;

		t->to_datums(recs + (Size) (order ? order[i] : i) * t->recsize,
					 src_values, src_nulls);
		if (map->identity)
			tup = heap_form_tuple(td, src_values, src_nulls);
		else
		{
			gf_colmap_apply(map, src_values, src_nulls, values, nulls);
			tup = heap_form_tuple(td, values, nulls);
		}
		/* shouldFree: the slot owns it, so materializing copies nothing. */
		ExecStoreHeapTuple(tup, t->slots[i], true);
	}

	bis = gf_writer_bulk_state(w);
	table_multi_insert(rel, t->slots, n, cid, 0, bis);
	/* The kept ring outlives the state: FreeBulkInsertState frees its own. */
	if (bis->strategy != NULL && bis->strategy == w->kept_ring)
		bis->strategy = NULL;
	FreeBulkInsertState(bis);
	if (with_indexes)
		gf_writer_insert_index_entries(rel, t->slots, n);
	table_finish_bulk_insert(rel, 0);
	gf_writer_clear_slots(t);
	return (uint64) n;
}

/* "INSERT INTO goflow2plus.x (a, b) SELECT r.a, r.b FROM unnest($1) r" */
static char *
gf_writer_insert_sql(const GfTarget *t)
{
	StringInfoData cols;
	StringInfoData sel;
	StringInfoData sql;
	int			j;

	initStringInfo(&cols);
	initStringInfo(&sel);
	for (j = 0; j < t->ncols; j++)
	{
		const char *q = quote_identifier(t->cols[j].name);

		appendStringInfo(&cols, "%s%s", j ? ", " : "", q);
		appendStringInfo(&sel, "%sr.%s", j ? ", " : "", q);
	}
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "INSERT INTO %s.%s (%s) SELECT %s FROM pg_catalog.unnest($1) AS r",
					 quote_identifier(GF_SCHEMA), quote_identifier(t->relname),
					 cols.data, sel.data);
	return sql.data;
}

static uint64
gf_writer_insert_general(GfWriter *w, Relation rel, const GfColumnMap *map,
						 GfTarget *t, const char *recs, int n)
{
	TupleDesc	td = RelationGetDescr(rel);
	Oid			rowtype = rel->rd_rel->reltype;
	Oid			arraytype = get_array_type(rowtype);
	Datum	   *src_values = palloc(sizeof(Datum) * t->ncols);
	bool	   *src_nulls = palloc(sizeof(bool) * t->ncols);
	Datum	   *values = palloc(sizeof(Datum) * td->natts);
	bool	   *nulls = palloc(sizeof(bool) * td->natts);
	Datum	   *rows = palloc(sizeof(Datum) * n);
	Datum		arg;
	int			rc;
	uint64		done;
	int			i;

	if (!OidIsValid(rowtype) || !OidIsValid(arraytype))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s has no row type to write through", t->qualname)));

	/* The batch as one array of rows of the table's own row type. */
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup;

		t->to_datums(recs + (Size) i * t->recsize, src_values, src_nulls);
		gf_colmap_apply(map, src_values, src_nulls, values, nulls);
		tup = heap_form_tuple(td, values, nulls);
		rows[i] = HeapTupleGetDatum(tup);
	}
	arg = PointerGetDatum(construct_array(rows, n, rowtype, -1, false,
										  TYPALIGN_DOUBLE));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "goflow2plus writer: SPI_connect failed");
	if (t->plan == NULL || t->plan_argtype != arraytype)
	{
		SPIPlanPtr	plan;

		if (t->plan != NULL)
		{
			SPI_freeplan(t->plan);
			t->plan = NULL;
		}
		plan = SPI_prepare(gf_writer_insert_sql(t), 1, &arraytype);
		if (plan == NULL)
			elog(ERROR, "goflow2plus writer: SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "goflow2plus writer: SPI_keepplan failed");
		t->plan = plan;
		t->plan_argtype = arraytype;
	}
	rc = SPI_execute_plan(t->plan, &arg, NULL, false, 0);
	/* A user's rule may turn the INSERT into something else: any success. */
	if (rc < 0)
		elog(ERROR, "goflow2plus writer: insert into %s failed: %s",
			 t->qualname, SPI_result_code_string(rc));
	/* Rows a BEFORE trigger skipped or a rule redirected are not counted. */
	done = SPI_processed;
	SPI_finish();
	return done;
}

/*
 * Bounds of a table partitioned by range on time_received, as the writer
 * routes by: bounds[] ascending, a value v at or after bounds[k] and
 * before bounds[k + 1] belongs to partition index[k + 1] (index[0]: before
 * every bound), -1 meaning the default partition (if any).  Copied from the
 * relcache's partition descriptor, and dropped when a relcache
 * invalidation names the parent (ATTACH, DETACH, DROP of a partition all
 * send one) or resets everything: gf_writer_part_inval.
 */
typedef struct GfPartBounds
{
	Oid			parent;			/* InvalidOid: nothing loaded */
	bool		valid;
	int			nbounds;
	TimestampTz *bounds;
	int		   *index;			/* nbounds + 1 entries */
	int			nparts;
	Oid		   *oids;
	bool	   *is_leaf;
	int			default_index;	/* -1: no default partition */
	MemoryContext ctx;
} GfPartBounds;

static GfPartBounds gf_part = {InvalidOid, false};
static bool gf_part_callback_set = false;

static void
gf_writer_part_inval(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == gf_part.parent)
		gf_part.valid = false;
}

/*
 * Load gf_part for parent; false when the table is not partitioned the
 * way the writer can route (one range key, time_received, timestamptz
 * with its default ordering).
 */
static bool
gf_writer_part_load(Relation parent)
{
	PartitionKey key = RelationGetPartitionKey(parent);
	PartitionDesc pd;
	PartitionBoundInfo bi;
	MemoryContext old;
	int			i;

	if (key == NULL || key->strategy != PARTITION_STRATEGY_RANGE ||
		key->partnatts != 1 || key->partattrs[0] == 0 ||
		key->parttypid[0] != TIMESTAMPTZOID ||
		key->partsupfunc[0].fn_oid != F_TIMESTAMPTZ_CMP ||
		strcmp(NameStr(TupleDescAttr(RelationGetDescr(parent),
									 key->partattrs[0] - 1)->attname),
			   "time_received") != 0)
		return false;

	if (!gf_part_callback_set)
	{
		CacheRegisterRelcacheCallback(gf_writer_part_inval, (Datum) 0);
		gf_part_callback_set = true;
	}
	if (gf_part.ctx == NULL)
		gf_part.ctx = AllocSetContextCreate(TopMemoryContext,
											"goflow2plus partition bounds",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(gf_part.ctx);
	gf_part.parent = RelationGetRelid(parent);
	gf_part.valid = false;

	/* As an INSERT sees them: partitions being detached are left out. */
	pd = RelationGetPartitionDesc(parent, true);
	bi = pd->boundinfo;
	old = MemoryContextSwitchTo(gf_part.ctx);
	gf_part.nparts = pd->nparts;
	gf_part.oids = palloc(sizeof(Oid) * Max(pd->nparts, 1));
	gf_part.is_leaf = palloc(sizeof(bool) * Max(pd->nparts, 1));
	for (i = 0; i < pd->nparts; i++)
	{
		gf_part.oids[i] = pd->oids[i];
		gf_part.is_leaf[i] = pd->is_leaf[i];
	}
	gf_part.nbounds = bi ? bi->ndatums : 0;
	gf_part.default_index = bi ? bi->default_index : -1;
	gf_part.bounds = palloc(sizeof(TimestampTz) * Max(gf_part.nbounds, 1));
	gf_part.index = palloc(sizeof(int) * (gf_part.nbounds + 1));
	gf_part.index[0] = -1;
	for (i = 0; i < gf_part.nbounds; i++)
	{
		switch (bi->kind[i][0])
		{
			case PARTITION_RANGE_DATUM_MINVALUE:
				gf_part.bounds[i] = PG_INT64_MIN;
				break;
			case PARTITION_RANGE_DATUM_MAXVALUE:
				gf_part.bounds[i] = PG_INT64_MAX;
				break;
			default:
				gf_part.bounds[i] = DatumGetTimestampTz(bi->datums[i][0]);
		}
		gf_part.index[i + 1] = bi->indexes[i + 1];
	}
	if (bi && bi->nindexes > 0)
		gf_part.index[0] = bi->indexes[0];
	MemoryContextSwitchTo(old);
	gf_part.valid = true;
	return true;
}

/* Partition index of time v, the default's when no range holds it, or -1. */
static int
gf_writer_part_find(TimestampTz v)
{
	int			lo = 0;
	int			hi = gf_part.nbounds;
	int			k;

	/* The number of bounds <= v. */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (gf_part.bounds[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	k = gf_part.index[lo];
	return k >= 0 ? k : gf_part.default_index;
}

/*
 * A table partitioned by time_received: each row goes straight into its
 * partition's heap (and indexes), a batch over several partitions is
 * split, rows outside every range go to the default partition.  Whatever
 * the writer cannot do itself (a trigger, rule or RLS on the parent or a
 * partition, a user column, a sub-partitioned partition, no partition
 * for a row) sends the whole batch through the executor's INSERT on the
 * parent, which routes and checks everything.
 */
static uint64
gf_writer_flush_partitioned(GfWriter *w, Relation parent, const GfColumnMap *pmap,
							GfTarget *t, const char *recs, int n)
{
	Form_pg_class cls = parent->rd_rel;
	int		   *part;
	int		   *count;
	int		   *start;
	int		   *order;
	Relation   *rels;
	GfColumnMap *maps;
	GfPath	   *paths;
	int			nused = 0;
	uint64		done = 0;
	uint64		dflt = 0;
	int			i;
	const char *why = NULL;

	if ((!gf_part.valid || gf_part.parent != RelationGetRelid(parent)) &&
		!gf_writer_part_load(parent))
		why = "not partitioned by range of time_received";
	else if (parent->trigdesc != NULL || parent->rd_rules != NULL || cls->relrowsecurity)
		why = "trigger, rule or row security on the table";
	else if (!pmap->complete)
		why = "columns of the user's";
	if (why != NULL)
		goto general;

	/* Route: partition of each row, rows per partition. */
	part = palloc(sizeof(int) * n);
	count = palloc0(sizeof(int) * Max(gf_part.nparts, 1));
	for (i = 0; i < n; i++)
	{
		int			k = gf_writer_part_find(gf_ns_to_timestamptz(t->time_ns(recs + (Size) i * t->recsize)));

		if (k < 0 || !gf_part.is_leaf[k])
		{
			why = k < 0 ? "a row outside every partition and no default partition" :
				"a sub-partitioned partition";
			goto general;
		}
		part[i] = k;
		if (count[k]++ == 0)
			nused++;
	}

	/*
	 * Lock and look at every partition first: if one needs the executor
	 * nothing has been written yet and the batch goes that way whole.
	 */
	rels = palloc0(sizeof(Relation) * gf_part.nparts);
	maps = palloc0(sizeof(GfColumnMap) * gf_part.nparts);
	paths = palloc0(sizeof(GfPath) * gf_part.nparts);
	for (i = 0; i < gf_part.nparts && why == NULL; i++)
	{
		if (count[i] == 0)
			continue;
		rels[i] = try_table_open(gf_part.oids[i], RowExclusiveLock);
		if (rels[i] == NULL)
		{
			/* Dropped under a stale cache: reload next time. */
			gf_part.valid = false;
			why = "a partition just dropped";
			break;
		}
		gf_colmap_build(&maps[i], RelationGetDescr(rels[i]), t->cols, t->ncols, t->qualname);
		paths[i] = gf_writer_choose_path(rels[i], &maps[i], t, true);
		if (paths[i] == GF_PATH_SQL)
			why = "a partition with a trigger, rule or constraint of its own";
	}
	if (why != NULL)
	{
		for (i = 0; i < gf_part.nparts; i++)
			if (rels[i] != NULL)
				table_close(rels[i], NoLock);
		goto general;
	}

	/* Rows in partition order (stable: time order within each). */
	start = palloc(sizeof(int) * gf_part.nparts);
	order = palloc(sizeof(int) * n);
	{
		int			pos = 0;

		for (i = 0; i < gf_part.nparts; i++)
		{
			start[i] = pos;
			pos += count[i];
		}
		for (i = 0; i < n; i++)
			order[start[part[i]]++] = i;
		pos = 0;
		for (i = 0; i < gf_part.nparts; i++)
		{
			start[i] = pos;
			pos += count[i];
		}
	}
	for (i = 0; i < gf_part.nparts; i++)
	{
		if (count[i] == 0)
			continue;
		elog(DEBUG1, "goflow2plus writer: %d rows for %s partition %s by %s",
			 count[i], t->qualname, RelationGetRelationName(rels[i]),
			 gf_path_names[paths[i]]);
		done += gf_writer_insert_fast(w, rels[i], &maps[i], t, recs, order + start[i],
									  count[i], paths[i] == GF_PATH_HEAP_INDEXES);
		if (i == gf_part.default_index)
			dflt += count[i];
		table_close(rels[i], NoLock);
	}
	if (t == &w->flows_target)
	{
		w->flush_default_rows += dflt;
		w->flush_split = (nused > 1);
	}
	return done;

general:
	elog(DEBUG1, "goflow2plus writer: %d rows for %s by %s (%s)", n, t->qualname,
		 gf_path_names[GF_PATH_SQL], why);
	/* The executor routes; the default's rows are counted by the bounds. */
	if (t == &w->flows_target && gf_part.valid &&
		gf_part.parent == RelationGetRelid(parent) && gf_part.default_index >= 0)
	{
		for (i = 0; i < n; i++)
			if (gf_writer_part_find(gf_ns_to_timestamptz(t->time_ns(recs + (Size) i * t->recsize))) ==
				gf_part.default_index)
				w->flush_default_rows++;
	}
	return gf_writer_insert_general(w, parent, pmap, t, recs, n);
}

static uint64
gf_writer_flush_target(GfWriter *w, GfTarget *t, const char *recs, int n)
{
	RangeVar   *rv = makeRangeVar(GF_SCHEMA, (char *) t->relname, -1);
	Oid			relid;
	Relation	rel;
	AclResult	aclres;
	GfColumnMap map;
	GfPath		path;
	uint64		done;

	relid = RangeVarGetRelid(rv, RowExclusiveLock, t->optional);
	if (!OidIsValid(relid))
		return 0;
	rel = table_open(relid, NoLock);

	aclres = pg_class_aclcheck(relid, GetUserId(), ACL_INSERT);
	if (aclres != ACLCHECK_OK)
		aclcheck_error(aclres, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));

	gf_colmap_build(&map, RelationGetDescr(rel), t->cols, t->ncols, t->qualname);
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE && t->time_ns != NULL)
	{
		done = gf_writer_flush_partitioned(w, rel, &map, t, recs, n);
		table_close(rel, NoLock);
		return done;
	}
	path = gf_writer_choose_path(rel, &map, t, false);
	/* Says which path was taken; the regression tests look for it. */
	elog(t->optional ? DEBUG2 : DEBUG1, "goflow2plus writer: %d rows for %s by %s",
		 n, t->qualname, gf_path_names[path]);
	if (path == GF_PATH_SQL)
		done = gf_writer_insert_general(w, rel, &map, t, recs, n);
	else
		done = gf_writer_insert_fast(w, rel, &map, t, recs, NULL, n,
									 path == GF_PATH_HEAP_INDEXES);

	/* The lock is kept to the end of the transaction, as for any INSERT. */
	table_close(rel, NoLock);
	return done;
}

uint64
gf_writer_flush(GfWriter *w)
{
	MemoryContext old;
	GfWriterCounts done;

	memset(&done, 0, sizeof(done));
	if (gf_writer_count(w) == 0)
	{
		w->written = done;
		return 0;
	}
	/* The snapshot this batch is enriched with (see gf_flow_to_datums_cb). */
	if (w->nflows > 0)
		(void) gf_context_refresh();
	old = MemoryContextSwitchTo(w->batch_ctx);
	w->flush_default_rows = 0;
	w->flush_split = false;
	if (w->nflows > 0)
	{
		/* Set for this call only (an ERROR leaves it; the next flush resets it). */
		gf_flush_flows = w->flows;
		gf_flush_nflows = w->nflows;
		gf_flush_rollup = gf_guc_rollups ? gf_rollup_create(w->batch_ctx) : NULL;
		done.flows = gf_writer_flush_target(w, &w->flows_target,
											(const char *) w->flows, w->nflows);
		gf_flush_flows = NULL;
		if (gf_flush_rollup != NULL)
		{
			int			nrows;
			GfRollupRow *rows = gf_rollup_rows(gf_flush_rollup, &nrows);
			int			i;

			/* The same keys in each table; merging makes one row per bucket. */
			for (i = 0; i < 3 && nrows > 0; i++)
			{
				gf_flush_bucket_usecs = gf_rollup_tables[i].bucket_usecs;
				done.rollups += gf_writer_flush_target(w, &w->rollup_target[i],
													   (const char *) rows, nrows);
			}
			gf_flush_rollup = NULL;
		}
		done.flows_default = w->flush_default_rows;
		done.split_batches = w->flush_split ? 1 : 0;
	}
	if (w->nifc > 0)
		done.ifcounters = gf_writer_flush_target(w, &w->ifc_target,
												 (const char *) w->ifc, w->nifc);
	if (w->ndrops > 0)
		done.drops = gf_writer_flush_target(w, &w->drop_target,
											(const char *) w->drops, w->ndrops);
	MemoryContextSwitchTo(old);
	gf_writer_reset(w);
	w->written = done;
	return done.flows + done.ifcounters + done.drops;
}

void
gf_writer_keep_for_retry(GfWriter *w)
{
	int			i;

	/* After an ERROR the slots may still hold tuples from batch_ctx. */
	gf_writer_clear_slots(&w->flows_target);
	gf_writer_clear_slots(&w->ifc_target);
	gf_writer_clear_slots(&w->drop_target);
	for (i = 0; i < 3; i++)
		gf_writer_clear_slots(&w->rollup_target[i]);
	gf_flush_rollup = NULL;
	MemoryContextReset(w->batch_ctx);
}

void
gf_writer_reset(GfWriter *w)
{
	gf_writer_keep_for_retry(w);
	w->nflows = 0;
	w->nifc = 0;
	w->ndrops = 0;
}

void
gf_writer_destroy(GfWriter *w)
{
	int			i;

	if (w == NULL)
		return;
	gf_writer_reset(w);
	gf_writer_drop_slots(&w->flows_target);
	gf_writer_drop_slots(&w->ifc_target);
	gf_writer_drop_slots(&w->drop_target);
	for (i = 0; i < 3; i++)
	{
		gf_writer_drop_slots(&w->rollup_target[i]);
		if (w->rollup_target[i].plan != NULL)
			SPI_freeplan(w->rollup_target[i].plan);
	}
	if (w->flows_target.plan != NULL)
		SPI_freeplan(w->flows_target.plan);
	if (w->ifc_target.plan != NULL)
		SPI_freeplan(w->ifc_target.plan);
	if (w->drop_target.plan != NULL)
		SPI_freeplan(w->drop_target.plan);
	MemoryContextDelete(w->ctx);
}
