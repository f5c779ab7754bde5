/*
 * decode_fn.c
 *    SQL-callable decoding: goflow2plus.decode(payload, exporter) returns
 *    the flow rows of one datagram, decoded by the same core decoders the
 *    workers run; goflow2plus.decode_reset() forgets the session's state.
 *    goflow2plus._write_decoded() (internal, for tests and benchmarks)
 *    sends the decoded records through the workers' table writer.
 *
 *    One decoder per session keeps templates, sampling rates and data sets
 *    waiting for their template between calls, so a template datagram and
 *    a data datagram decode in two calls as they would on the wire.  It is
 *    malloc'd by the core and lives until decode_reset() or backend exit.
 *
 *    decode() may be granted to unprivileged roles, so what one session
 *    can make the backend hold is bounded: the session decoder has limits
 *    far below a worker's (GFD_SESSION_*), a payload is at most one UDP
 *    datagram, and one call returns at most GFD_MAX_RECORDS_PER_CALL
 *    records.  Each limit hit is an ERROR (or, for a data set that could
 *    not be kept waiting for its template, a WARNING) that names it.
 *
 *    A malformed datagram is an ERROR and no row of it is returned: a
 *    caller who feeds one datagram wants to know it is bad, not half of it.
 */
#include "postgres.h"

#include <sys/socket.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "decode.h"
#include "context_attach.h"
#include "flow_tuple.h"
#include "flow_writer.h"
#include "mapping_fn.h"

PG_FUNCTION_INFO_V1(goflow2plus_decode);
PG_FUNCTION_INFO_V1(goflow2plus_decode_reset);
PG_FUNCTION_INFO_V1(goflow2plus__write_decoded);

/*
 * Limits of the session decoder.  Worst case held between calls: 1024
 * templates of 512 fields, 64 kB of waiting data sets for each of 64
 * exporters, 64 sampling entries: 8.7 MB of backend memory, measured.
 */
#define GFD_SESSION_MAX_TEMPLATES		1024
#define GFD_SESSION_MAX_TEMPLATE_FIELDS	512
#define GFD_SESSION_PENDING_BYTES		(64 * 1024)
#define GFD_SESSION_MAX_EXPORTERS		64

/* The largest UDP payload (IPv6 jumbograms aside); a worker's receive buffer. */
#define GFD_MAX_PAYLOAD					65535

/*
 * One call's records, kept in memory until returned (a gf_flow is under
 * 1 kB, so under 64 MB).  One datagram yields fewer (a record is at least
 * one byte); only data sets released from the waiting store can add more.
 */
#define GFD_MAX_RECORDS_PER_CALL		65536

static gf_decoder *gfd_session_decoder = NULL;
static GfWriter *gfd_writer = NULL;	/* _write_decoded's */
static int	gfd_writer_batch = 0;

/*
 * Records are collected inside the sink callback.  The callback runs
 * inside the core decoder, so it must not ERROR (a longjmp out of the core
 * could leave its template state half-updated): it allocates without
 * raising and notes a failure for afterwards.  Records go into chunks of
 * GFD_CHUNK, never copied to grow, so a call's peak memory is what its
 * records take.
 */
#define GFD_CHUNK		1024
#define GFD_MAX_CHUNKS	(GFD_MAX_RECORDS_PER_CALL / GFD_CHUNK)

typedef struct GfdRows
{
	MemoryContext cxt;
	Size		elem;			/* bytes per record */
	char	   *chunks[GFD_MAX_CHUNKS];
	int			n;
	bool		oom;
	bool		too_many;		/* GFD_MAX_RECORDS_PER_CALL reached */
} GfdRows;

static void
gfd_rows_init(GfdRows *r, Size elem)
{
	memset(r, 0, sizeof(*r));
	r->cxt = CurrentMemoryContext;
	r->elem = elem;
}

/* A slot for one more record, or NULL (oom or too_many set). */
static void *
gfd_rows_add(GfdRows *r)
{
	int			chunk = r->n / GFD_CHUNK;
	char	   *slot;

	if (r->oom || r->too_many)
		return NULL;
	if (r->n >= GFD_MAX_RECORDS_PER_CALL)
	{
		r->too_many = true;
		return NULL;
	}
	if (r->n % GFD_CHUNK == 0)
	{
		r->chunks[chunk] = MemoryContextAllocExtended(r->cxt, r->elem * GFD_CHUNK,
													  MCXT_ALLOC_NO_OOM);
		if (r->chunks[chunk] == NULL)
		{
			r->oom = true;
			return NULL;
		}
	}
	slot = r->chunks[chunk] + r->elem * (Size) (r->n % GFD_CHUNK);
	r->n++;
	return slot;
}

static void *
gfd_rows_get(const GfdRows *r, int i)
{
	return r->chunks[i / GFD_CHUNK] + r->elem * (Size) (i % GFD_CHUNK);
}

static void
gfd_collect_flow(void *arg, const gf_flow *f)
{
	gf_flow    *slot = gfd_rows_add((GfdRows *) arg);

	if (slot)
		*slot = *f;
}

static gf_decoder *
gfd_decoder(void)
{
	if (gfd_session_decoder == NULL)
	{
		gf_limits	lim;

		/* Fields left 0 (any the core adds later) take its defaults. */
		memset(&lim, 0, sizeof(lim));
		lim.max_templates = GFD_SESSION_MAX_TEMPLATES;
		/* A session says it is full rather than forget silently. */
		lim.templates_no_evict = 1;
		lim.max_template_fields = GFD_SESSION_MAX_TEMPLATE_FIELDS;
		lim.pending_bytes_per_exporter = GFD_SESSION_PENDING_BYTES;
		lim.max_exporters = GFD_SESSION_MAX_EXPORTERS;
		gfd_session_decoder = gf_decoder_new(&lim);
		if (gfd_session_decoder == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory creating the goflow2plus decoder")));
	}
	/* The active custom mapping, as the workers decode with it. */
	gf_mapping_session_refresh(gfd_session_decoder);
	return gfd_session_decoder;
}

/*
 * The ERROR names the protocol the core decoded the datagram as (err->proto)
 * and then says what was wrong without naming it again (msg + body).
 */
static void
gfd_raise(const gf_error *err)
{
	const char *proto = gf_proto_kind_name(err->proto);
	const char *msg = err->msg + err->body;
	int			code;

	switch (err->code)
	{
		case GF_ERR_NOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case GF_ERR_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		default:
			code = ERRCODE_INVALID_BINARY_REPRESENTATION;
			break;
	}

	/*
	 * A limit is not malformation: say which, and how to make room (the
	 * rest of the datagram was decoded, but its rows are not returned).
	 */
	if (err->code == GF_ERR_LIMIT)
		ereport(ERROR,
				(errcode(code),
				 errmsg("%s datagram at offset %zu is over a limit of the session's decoder: %s",
						proto ? proto : "a", err->offset, msg),
				 errdetail("A session keeps at most %d templates of at most %d fields each.",
						   GFD_SESSION_MAX_TEMPLATES, GFD_SESSION_MAX_TEMPLATE_FIELDS),
				 errhint("SELECT goflow2plus.decode_reset() forgets the templates this session has learnt.")));
	if (proto != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("malformed %s datagram at offset %zu: %s",
						proto, err->offset, msg)));
	else
		ereport(ERROR,
				(errcode(code),
				 errmsg("unrecognised datagram at offset %zu: %s",
						err->offset, err->msg)));
}

static void
gfd_exporter_addr(inet *ip, gf_addr *a)
{
	if (ip_family(ip) == PGSQL_AF_INET)
		gf_addr_set_v4(a, ip_addr(ip));
	else
		gf_addr_set_v6(a, ip_addr(ip));
}

/* Unix-epoch nanoseconds of the current statement's start. */
static uint64
gfd_statement_time_ns(void)
{
	TimestampTz ts = GetCurrentStatementStartTimestamp();

	return (uint64) (ts + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
					 SECS_PER_DAY * USECS_PER_SEC) * 1000;
}

static void
gfd_too_many(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("datagram decodes to more than %d records, the most one call returns",
					GFD_MAX_RECORDS_PER_CALL),
			 errdetail("Data sets that were waiting for their template are decoded with the datagram that brings it."),
			 errhint("SELECT goflow2plus.decode_reset() discards what waits.")));
}

/*
 * Decode one datagram with the session decoder into c.  ERRORs on a
 * malformed datagram, after the decoder has returned.
 */
static void
gfd_decode_into(bytea *payload, inet *exporter, GfdRows *c,
				const gf_sink *extra)
{
	gf_datagram dg;
	gf_sink		sink;
	gf_error	err;
	gf_rc		rc;
	gf_decoder *d = gfd_decoder();
	uint64		overflow_before;

	memset(&dg, 0, sizeof(dg));
	dg.data = (const uint8_t *) VARDATA_ANY(payload);
	dg.len = VARSIZE_ANY_EXHDR(payload);
	if (dg.len > GFD_MAX_PAYLOAD)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("payload of %zu bytes is larger than a UDP datagram",
						dg.len),
				 errdetail("goflow2plus.decode() takes at most %d bytes, one datagram.",
						   GFD_MAX_PAYLOAD)));
	gfd_exporter_addr(exporter, &dg.exporter);
	dg.exporter_port = 0;
	dg.time_received_ns = gfd_statement_time_ns();

	memset(&sink, 0, sizeof(sink));
	if (extra)
		sink = *extra;
	else
	{
		/* decode() returns flows only; sFlow counter samples are ignored. */
		sink.flow = gfd_collect_flow;
		sink.arg = c;
	}
	overflow_before = gf_decoder_counters(d)->nf_sets_pending_overflow;
	rc = gf_decode(d, GF_PROTO_AUTO, &dg, &sink, &err);

	/*
	 * Data sets that waited for a template this datagram brought: all of
	 * them now (a session keeps little, see the limits above).
	 */
	while (gf_decoder_release(d, dg.time_received_ns, &sink))
		;
	if (rc != GF_OK)
		gfd_raise(&err);
	if (gf_decoder_counters(d)->nf_sets_pending_overflow > overflow_before)
		ereport(WARNING,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%llu data set(s) dropped: their template is unknown and the session cannot keep more data waiting for it",
						(unsigned long long) (gf_decoder_counters(d)->nf_sets_pending_overflow - overflow_before)),
				 errdetail("A session keeps at most %d bytes of data sets waiting for their template per exporter, for at most %d exporters holding state.",
						   GFD_SESSION_PENDING_BYTES, GFD_SESSION_MAX_EXPORTERS),
				 errhint("Decode the template datagram first, or SELECT goflow2plus.decode_reset() to discard what waits.")));
	if (c && c->too_many)
		gfd_too_many();
	if (c && c->oom)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory collecting decoded flows")));
}

Datum
goflow2plus_decode(PG_FUNCTION_ARGS)
{
	bytea	   *payload = PG_GETARG_BYTEA_PP(0);
	inet	   *exporter = PG_GETARG_INET_PP(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GfdRows		c;
	GfColumnMap map;
	TupleDesc	td;
	Datum		src_values[GF_FLOW_NCOLS];
	bool		src_nulls[GF_FLOW_NCOLS];
	Datum	   *values;
	bool	   *nulls;
	int			i;
	gf_flow		enriched;

	gfd_rows_init(&c, sizeof(gf_flow));
	gfd_decode_into(payload, exporter, &c, NULL);

	InitMaterializedSRF(fcinfo, 0);
	td = rsinfo->setDesc;
	gf_colmap_build(&map, td, gf_flow_columns, GF_FLOW_NCOLS,
					"the row type goflow2plus.flows");
	values = palloc(sizeof(Datum) * Max(td->natts, 1));
	nulls = palloc(sizeof(bool) * Max(td->natts, 1));
	/* Enriched like the workers' rows, with the newest published context. */
	(void) gf_context_refresh();
	for (i = 0; i < c.n; i++)
	{
		gf_context_enrich_copy(gfd_rows_get(&c, i), &enriched);
		gf_flow_datums(&enriched, src_values, src_nulls);
		gf_colmap_apply(&map, src_values, src_nulls, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, td, values, nulls);
	}
	return (Datum) 0;
}

Datum
goflow2plus_decode_reset(PG_FUNCTION_ARGS)
{
	gf_decoder_free(gfd_session_decoder);
	gfd_session_decoder = NULL;
	gf_mapping_session_forget();
	PG_RETURN_VOID();
}

/* ---- _write_decoded: the worker's writer path, callable from SQL ---- */

typedef struct GfdBoth
{
	GfdRows		flows;
	GfdRows		ifc;
	GfdRows		drops;			/* each with its own copy of the header bytes */
} GfdBoth;

static void
gfd_both_flow(void *arg, const gf_flow *f)
{
	gfd_collect_flow(&((GfdBoth *) arg)->flows, f);
}

static void
gfd_both_ifc(void *arg, const gf_ifcounters *r)
{
	gf_ifcounters *slot = gfd_rows_add(&((GfdBoth *) arg)->ifc);

	if (slot)
		*slot = *r;
}

static void
gfd_both_drop(void *arg, const gf_drop_sample *d)
{
	GfdRows    *c = &((GfdBoth *) arg)->drops;
	gf_drop_sample *row = gfd_rows_add(c);

	if (row == NULL)
		return;
	*row = *d;
	/* d->header points into the payload; keep a copy that outlives it. */
	if (d->header != NULL && d->header_len > 0)
	{
		uint8	   *h = MemoryContextAllocExtended(c->cxt, d->header_len,
												   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);

		if (h == NULL)
		{
			c->oom = true;
			row->header = NULL;
			row->header_len = 0;
			return;
		}
		memcpy(h, d->header, d->header_len);
		row->header = h;
	}
}

/*
 * goflow2plus._write_decoded(payload bytea, exporter inet, repeat int,
 * batch_size int) RETURNS bigint
 *
 * Decodes the datagram once with the session decoder, then adds its
 * records 'repeat' times to a GfWriter of capacity batch_size, flushing
 * after a datagram's records whenever the writer reported a full batch
 * and once at the end, as a worker does (but inside the caller's
 * transaction).  Returns the
 * rows written.  Internal: for the regression tests and the benchmark.
 */
Datum
goflow2plus__write_decoded(PG_FUNCTION_ARGS)
{
	bytea	   *payload = PG_GETARG_BYTEA_PP(0);
	inet	   *exporter = PG_GETARG_INET_PP(1);
	int32		repeat = PG_GETARG_INT32(2);
	int32		batch = PG_GETARG_INT32(3);
	GfdBoth		both;
	gf_sink		sink;
	GfWriter   *w;
	uint64		written = 0;
	int32		r;
	int			i;

	if (repeat < 0 || batch < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("repeat must be >= 0 and batch_size >= 1")));

	gfd_rows_init(&both.flows, sizeof(gf_flow));
	gfd_rows_init(&both.ifc, sizeof(gf_ifcounters));
	gfd_rows_init(&both.drops, sizeof(gf_drop_sample));
	memset(&sink, 0, sizeof(sink));
	sink.flow = gfd_both_flow;
	sink.ifcounters = gfd_both_ifc;
	sink.drop = gfd_both_drop;
	sink.arg = &both;
	gfd_decode_into(payload, exporter, NULL, &sink);
	if (both.flows.too_many || both.ifc.too_many || both.drops.too_many)
		gfd_too_many();
	if (both.flows.oom || both.ifc.oom || both.drops.oom)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory collecting decoded records")));

	/*
	 * One writer per session, so its prepared statement is reused like a
	 * worker's; a different batch size makes a new one.  Rows left by a
	 * call that failed are dropped first.
	 */
	if (gfd_writer != NULL && gfd_writer_batch != batch)
	{
		gf_writer_destroy(gfd_writer);
		gfd_writer = NULL;
	}
	if (gfd_writer == NULL)
	{
		gfd_writer = gf_writer_create(TopMemoryContext, batch);
		gfd_writer_batch = batch;
	}
	w = gfd_writer;
	gf_writer_reset(w);
	for (r = 0; r < repeat; r++)
	{
		bool		full = false;

		/*
		 * Like a worker, flush only between datagrams: records past the
		 * batch size make the writer's buffer grow.
		 */
		for (i = 0; i < both.flows.n; i++)
			full |= gf_writer_add_flow(w, gfd_rows_get(&both.flows, i));
		for (i = 0; i < both.ifc.n; i++)
			full |= gf_writer_add_ifcounters(w, gfd_rows_get(&both.ifc, i));
		for (i = 0; i < both.drops.n; i++)
			full |= gf_writer_add_drop(w, gfd_rows_get(&both.drops, i));
		if (full)
			written += gf_writer_flush(w);
		CHECK_FOR_INTERRUPTS();
	}
	written += gf_writer_flush(w);
	PG_RETURN_INT64((int64) written);
}
