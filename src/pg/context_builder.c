/*
 * context_builder.c
 *    The context builder: one background worker that reads
 *    goflow2plus.networks, devices, interfaces and sampling_rates, builds
 *    the lookup snapshot (src/core/include/context.h) and publishes it in
 *    a new dynamic shared memory segment for every worker and backend.
 *
 *    Why a separate process: building 1 M prefixes takes seconds of one
 *    core.  In a receiving worker that would stall its socket; here the
 *    workers keep enriching with the old snapshot until the new one is
 *    published, then switch between two batches.  One copy serves every
 *    worker (?count=N does not multiply the memory).
 *
 *    It wakes when a committed change bumps the shared request counter
 *    (context_shared.c) and at least every second, and rebuilds when the
 *    counter moved.  A failed build (tables missing, a row the core
 *    refuses) keeps the published snapshot, is shown by context_status()
 *    and retried every few seconds.
 */
#include "postgres.h"

#include <malloc.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "context.h"
#include "context_load_fn.h"
#include "context_shared.h"
#include "goflow2plus.h"
#include "gf_shmem.h"
#include "pg_compat.h"

PGDLLEXPORT void goflow2plus_context_builder_main(Datum main_arg);

/* Rows fetched from a cursor at a time: bounds the builder's SPI memory. */
#define CB_FETCH_ROWS		10000
/* Delay before a failed build is tried again. */
#define CB_RETRY_MS			5000
/* Longest wait between looks at the request counter. */
#define CB_POLL_MS			1000

/*
 * Overlays (context.h): more keys changed since the base than this, or an
 * overlay of more networks, and the next build is a full one.  The
 * triggers' own limit per statement is in the install script (50 000).
 */
#define CB_MAX_KEYS			50000
#define CB_MAX_OVERLAY		200000
/* An overlay this large is merged after this long without a change. */
#define CB_MERGE_OVERLAY	20000
#define CB_MERGE_IDLE_MS	60000

static dsm_segment *cb_published = NULL;	/* the base */
static dsm_segment *cb_overlay = NULL;
static uint64 cb_generation = 0;

/*
 * Index of the base's networks (mapped by cb_published), and the change
 * log table it goes with: NULL / another table (the extension was
 * re-created) means the next build is a full one.
 */
static gf_ctx_net_index *cb_index = NULL;
static Oid	cb_log_oid = InvalidOid;
static uint32 cb_overlay_networks = 0;

/* This build's kind, decided inside its transaction. */
static bool cb_is_overlay = false;

/* Forget the base's index: the next build is a full one. */
static void
cb_index_drop(void)
{
	gf_ctx_net_index_free(cb_index);
	cb_index = NULL;
}

static void
cb_on_exit(int code, Datum arg)
{
	GfContextShared *cs = gf_context_shared();

	SpinLockAcquire(&cs->lock);
	cs->builder_latch = NULL;
	cs->builder_pid = 0;
	SpinLockRelease(&cs->lock);
}

/*
 * Column col (inet or cidr) -> core address and prefix length (bits may
 * be NULL); false, and addr and bits left as they are, when it is NULL.
 */
static bool
cb_inet(HeapTuple tup, TupleDesc td, int col, gf_addr *addr, uint8 *bits)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);
	inet	   *ip;

	if (isnull)
		return false;
	ip = DatumGetInetPP(d);
	memset(addr, 0, sizeof(*addr));
	addr->family = ip_family(ip) == PGSQL_AF_INET ? 4 : 6;
	memcpy(addr->bytes, ip_addr(ip), addr->family == 4 ? 4 : 16);
	if (bits)
		*bits = ip_bits(ip);
	return true;
}

/* Column col (bigint) -> *v; false, and *v = 0, when it is NULL. */
static bool
cb_int64(HeapTuple tup, TupleDesc td, int col, int64 *v)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);

	*v = isnull ? 0 : DatumGetInt64(d);
	return !isnull;
}

static char *
cb_text(HeapTuple tup, TupleDesc td, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * A context object: jsonb's binary form (whole, 4-byte header) for the
 * columns and its text for the encoders.  Both are copied by the core.
 */
static void
cb_object(HeapTuple tup, TupleDesc td, int jsonb_col, int text_col,
		  gf_ctx_object *o)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, jsonb_col, &isnull);

	memset(o, 0, sizeof(*o));
	if (isnull)
		return;
	{
		struct varlena *v = pg_detoast_datum((struct varlena *) DatumGetPointer(d));

		o->blob = v;
		o->blob_len = VARSIZE(v);
	}
	o->json = cb_text(tup, td, text_col);
}

/*
 * A row handler returns false when the core refused the row: the builder
 * keeps the reason and gf_ctx_build() reports it, so reading stops there.
 */
typedef bool (*cb_row_fn) (gf_ctx_builder *b, HeapTuple tup, TupleDesc td);

/* CPU time of this process, in microseconds. */
static int64
cb_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * goflow2plus.context_build_cpu below 1: after a slice of rows that took
 * c of CPU, sleep c * (1 / share - 1), so that the builder uses about
 * that share of a core while it reads a full table (on 2 cores a full
 * read at full speed takes the receiving worker's core for seconds).
 */
static void
cb_throttle(int64 *slice_start)
{
	double		share = gf_guc_context_build_cpu;
	int64		now;
	int64		sleep_us;

	if (share >= 1.0 || share <= 0.0)
		return;
	now = cb_cpu_us();
	sleep_us = (int64) ((double) (now - *slice_start) * (1.0 / share - 1.0));
	if (sleep_us > 0)
		pg_usleep(Min(sleep_us, 1000000));
	*slice_start = cb_cpu_us();
}

/*
 * goflow2plus.context_build_yield: while some socket worker's receive
 * queue is fuller than that share of its buffer, the worker needs the CPU
 * more than a rebuild does (what the queue cannot take is lost), so the
 * builder sleeps in CB_PAUSE_STEP_MS steps.  Called between fetches while
 * reading, by the core between slices of the prefix tables' build
 * (gf_ctx_builder_set_pause), and between slices of the copy into shared
 * memory.  At most CB_PAUSE_MAX_MS per build, so that a worker that is
 * always behind cannot hold context changes back for ever.
 */
#define CB_PAUSE_STEP_MS	5
#define CB_PAUSE_MAX_MS		30000
static int	cb_paused_ms = 0;	/* this build's */

static void
cb_pause(void *arg)
{
	double		limit = gf_guc_context_build_yield;

	(void) arg;
	if (limit <= 0.0)
		return;
	while (cb_paused_ms < CB_PAUSE_MAX_MS && gf_shmem_max_queue_fill() > limit)
	{
		pg_usleep(CB_PAUSE_STEP_MS * 1000L);
		cb_paused_ms += CB_PAUSE_STEP_MS;
		/* a FATAL (shutdown) exits from here; no ERROR can come from it */
		CHECK_FOR_INTERRUPTS();
	}
}

/* Run a query through a cursor, handing every row to fn; false if one was refused. */
static bool
cb_scan(gf_ctx_builder *b, const char *query, cb_row_fn fn)
{
	Portal		portal = SPI_cursor_open_with_args(NULL, query, 0, NULL, NULL, NULL,
												   true, 0);
	bool		ok = true;
	int64		slice_start = cb_cpu_us();

	while (ok)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, CB_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed && ok; i++)
			ok = fn(b, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
		if (!cb_is_overlay)
		{
			cb_throttle(&slice_start);
			cb_pause(NULL);
		}
	}
	SPI_cursor_close(portal);
	return ok;
}

/* Network rows read by this build (an overlay's: the changed keys' current rows). */
static uint32 cb_rows_read = 0;

static bool
cb_network_row(gf_ctx_builder *b, HeapTuple tup, TupleDesc td)
{
	gf_ctx_network_in n;

	cb_rows_read++;
	memset(&n, 0, sizeof(n));
	(void) cb_inet(tup, td, 1, &n.net, &n.prefix_len);
	(void) cb_inet(tup, td, 2, &n.exporter, NULL);
	n.name = cb_text(tup, td, 3);
	cb_object(tup, td, 4, 5, &n.context);
	return gf_ctx_add_network(b, &n);
}

static bool
cb_device_row(gf_ctx_builder *b, HeapTuple tup, TupleDesc td)
{
	gf_ctx_device_in dv;

	memset(&dv, 0, sizeof(dv));
	(void) cb_inet(tup, td, 1, &dv.exporter, NULL);
	dv.name = cb_text(tup, td, 2);
	dv.site = cb_text(tup, td, 3);
	dv.role = cb_text(tup, td, 4);
	cb_object(tup, td, 5, 6, &dv.context);
	return gf_ctx_add_device(b, &dv);
}

static bool
cb_interface_row(gf_ctx_builder *b, HeapTuple tup, TupleDesc td)
{
	gf_ctx_interface_in it;
	int64		v;
	char	   *boundary;

	memset(&it, 0, sizeof(it));
	(void) cb_inet(tup, td, 1, &it.exporter, NULL);
	(void) cb_int64(tup, td, 2, &v);
	it.if_index = (uint32) v;
	it.name = cb_text(tup, td, 3);
	it.description = cb_text(tup, td, 4);
	if (cb_int64(tup, td, 5, &v) && v >= 0)
	{
		it.has_speed = true;
		it.speed = (uint64) v;
	}
	boundary = cb_text(tup, td, 6);
	if (boundary && strcmp(boundary, "external") == 0)
		it.boundary = GF_BOUNDARY_EXTERNAL;
	else if (boundary && strcmp(boundary, "internal") == 0)
		it.boundary = GF_BOUNDARY_INTERNAL;
	it.provider = cb_text(tup, td, 7);
	cb_object(tup, td, 8, 9, &it.context);
	return gf_ctx_add_interface(b, &it);
}

static bool
cb_rate_row(gf_ctx_builder *b, HeapTuple tup, TupleDesc td)
{
	gf_ctx_rate_in r;
	int64		v;
	char	   *kind;

	memset(&r, 0, sizeof(r));
	(void) cb_inet(tup, td, 1, &r.exporter, &r.exporter_len);
	if (cb_int64(tup, td, 2, &v))
	{
		r.has_if_index = true;
		r.if_index = (uint32) v;
	}
	(void) cb_int64(tup, td, 3, &v);
	r.rate = (uint64) v;
	kind = cb_text(tup, td, 4);
	r.is_override = kind && strcmp(kind, "override") == 0;
	return gf_ctx_add_rate(b, &r);
}

/* The user's value wins over the learnt one, field by field. */
#define CB_Q_NETWORKS \
	"SELECT cidr, exporter, name, context, context::text FROM goflow2plus.networks"
#define CB_Q_DEVICES \
	"SELECT exporter, name, site, role, context, context::text FROM goflow2plus.devices"
#define CB_Q_INTERFACES \
	"SELECT exporter, if_index, coalesce(name, learnt_name), " \
	"coalesce(description, learnt_description), coalesce(speed, learnt_speed), " \
	"boundary, provider, context, context::text FROM goflow2plus.interfaces"
#define CB_Q_RATES \
	"SELECT exporter, if_index, rate, kind FROM goflow2plus.sampling_rates"

/* Aliases of a key: an IPv4 prefix or exporter written as mapped IPv6 and back. */
#define CB_ALIAS_CIDR(c) \
	"CASE WHEN family(" c ") = 4 THEN set_masklen(('::ffff:' || host(" c "))::inet, masklen(" c ") + 96)::cidr " \
	"WHEN masklen(" c ") >= 96 AND " c " <<= '::ffff:0.0.0.0/96'::cidr " \
	"THEN set_masklen(replace(host(" c "), '::ffff:', '')::inet, masklen(" c ") - 96)::cidr " \
	"ELSE " c " END"
#define CB_ALIAS_INET(e) \
	"CASE WHEN family(" e ") = 4 THEN ('::ffff:' || host(" e "))::inet " \
	"WHEN " e " << '::ffff:0.0.0.0/96'::inet THEN replace(host(" e "), '::ffff:', '')::inet " \
	"ELSE " e " END"

#define CB_Q_CHANGED_KEYS \
	"SELECT DISTINCT cidr, exporter FROM goflow2plus._network_changes"
/*
 * The current rows of the changed keys, of every spelling of each (the
 * core stores ::ffff:10.0.0.0/104 as 10.0.0.0/8: both rows must be seen
 * to refuse them as duplicates).  cidr = ANY keeps it on the unique index.
 */
#define CB_Q_CHANGED_ROWS \
	"WITH k AS (SELECT DISTINCT cidr, exporter FROM goflow2plus._network_changes), " \
	"a AS MATERIALIZED (SELECT c, e FROM k " \
	"  CROSS JOIN LATERAL (VALUES (k.cidr), (" CB_ALIAS_CIDR("k.cidr") ")) cc(c) " \
	"  CROSS JOIN LATERAL (VALUES (k.exporter), (" CB_ALIAS_INET("k.exporter") ")) ee(e)) " \
	"SELECT n.cidr, n.exporter, n.name, n.context, n.context::text FROM goflow2plus.networks n " \
	"WHERE n.cidr = ANY (ARRAY(SELECT DISTINCT c FROM a)) " \
	"AND EXISTS (SELECT 1 FROM a WHERE a.c = n.cidr AND a.e IS NOT DISTINCT FROM n.exporter)"

/* A changed key: its base entry stale, its ancestors copied (context.h). */
static bool
cb_changed_key(gf_ctx_builder *b, HeapTuple tup, TupleDesc td)
{
	gf_addr		net;
	gf_addr		exporter;
	uint8		bits = 0;

	memset(&net, 0, sizeof(net));
	memset(&exporter, 0, sizeof(exporter));
	if (!cb_inet(tup, td, 1, &net, &bits))
		return true;
	(void) cb_inet(tup, td, 2, &exporter, NULL);
	return gf_ctx_overlay_change(b, cb_index, &net, bits, &exporter);
}

/* One value of a one-row query (NULL -> isnull); SPI connected. */
static Datum
cb_value(const char *query, bool *isnull)
{
	if (SPI_execute(query, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

/*
 * Can this build be an overlay?  A base with its index, the same change
 * log table, no "everything" mark and not too many keys.  Records the
 * log table's oid for a full build.
 */
static bool
cb_overlay_fits(void)
{
	bool		isnull;
	Oid			log_oid;
	int64		keys;
	Datum		d;

	d = cb_value("SELECT to_regclass('goflow2plus._network_changes')::oid", &isnull);
	log_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	if (cb_index == NULL || !OidIsValid(log_oid) || log_oid != cb_log_oid ||
		cb_overlay_networks > CB_MAX_OVERLAY)
	{
		cb_log_oid = log_oid;
		return false;
	}
	d = cb_value("SELECT CASE WHEN bool_or(cidr IS NULL) THEN -1 ELSE count(*) END "
				 "FROM (SELECT cidr FROM goflow2plus._network_changes LIMIT "
				 CppAsString2(CB_MAX_KEYS) " + 1) s", &isnull);
	keys = isnull ? 0 : DatumGetInt64(d);
	/* a change of a good part of a small table: a full build costs little */
	return keys >= 0 && keys <= CB_MAX_KEYS &&
		keys <= (int64) gf_ctx_network_count((const gf_ctx_snapshot *)
											 dsm_segment_address(cb_published)) / 2 + 1000;
}

/* The networks part of an overlay: stale marks, ancestors, current rows. */
static bool
cb_read_overlay_networks(gf_ctx_builder *b)
{
	gf_ctx_overlay_begin(b, cb_index);
	if (!cb_scan(b, CB_Q_CHANGED_KEYS, cb_changed_key) || !gf_ctx_overlay_copy(b, cb_index))
		return false;
	cb_rows_read = 0;
	return cb_scan(b, CB_Q_CHANGED_ROWS, cb_network_row);
}

static void
cb_record_error(const char *message)
{
	GfContextShared *cs = gf_context_shared();

	SpinLockAcquire(&cs->lock);
	strlcpy(cs->last_error, message, sizeof(cs->last_error));
	cs->builds_failed++;
	SpinLockRelease(&cs->lock);
}

/*
 * Read the tables into a builder; false (error recorded) when they are not
 * there.  Whether this is an overlay or a full build is decided here, in
 * the same snapshot as the reading (REPEATABLE READ: one snapshot for the
 * whole transaction, so that a full build's DELETE of the change log
 * removes exactly the changes it read).  want_overlay false: full.
 */
static bool
cb_read_tables(gf_ctx_builder *b, bool want_overlay)
{
	volatile bool ok = false;
	MemoryContext caller = CurrentMemoryContext;

	cb_is_overlay = false;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		bool		recovery = RecoveryInProgress();

		if (!recovery)
			XactIsoLevel = XACT_REPEATABLE_READ;
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "goflow2plus: reading the context tables");
		if (!OidIsValid(get_extension_oid("goflow2plus", true)))
			cb_record_error("extension goflow2plus does not exist in goflow2plus.database");
		else
		{
			bool		nets_ok;

			/* a standby cannot empty the log: every build is full there */
			cb_is_overlay = !recovery && cb_overlay_fits() && want_overlay;
			if (cb_is_overlay)
				nets_ok = cb_read_overlay_networks(b);
			else
			{
				/*
				 * A full build makes a new index anyway: free the old one
				 * first, so the build's scratch can reuse its memory.
				 */
				cb_index_drop();
				nets_ok = cb_scan(b, CB_Q_NETWORKS, cb_network_row);
				if (!recovery && OidIsValid(cb_log_oid))
					SPI_execute("DELETE FROM goflow2plus._network_changes", false, 0);
			}
			/* A refused row stops the reading; gf_ctx_build says why. */
			(void) (nets_ok &&
					cb_scan(b, CB_Q_DEVICES, cb_device_row) &&
					cb_scan(b, CB_Q_INTERFACES, cb_interface_row) &&
					cb_scan(b, CB_Q_RATES, cb_rate_row));
			ok = true;
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		pgstat_report_activity(STATE_IDLE, NULL);
		cb_record_error(edata->message);
		ereport(LOG,
				(errmsg("goflow2plus context builder: %s", edata->message),
				 errdetail("The context in use stays; the build is retried in %d s.",
						   CB_RETRY_MS / 1000)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * Copy a built snapshot into a new segment and make it the published one:
 * a full build replaces the base (and drops the overlay), an overlay
 * replaces the overlay.
 */
static bool
cb_publish(gf_ctx_snapshot *snap, bool overlay, uint64 request, double elapsed_ms)
{
	GfContextShared *cs = gf_context_shared();
	Size		bytes = gf_ctx_bytes(snap);
	dsm_segment *seg = dsm_create(bytes, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	dsm_segment *old_base = overlay ? NULL : cb_published;
	dsm_segment *old_overlay = cb_overlay;

	if (seg == NULL)
	{
		cb_record_error("no dynamic shared memory segment is free for the context");
		return false;
	}
	/* Kept mapped by this process until the next snapshot replaces it. */
	dsm_pin_mapping(seg);
	{
		/* in slices, pausing between them as the build did (cb_pause) */
		const Size	slice = 4 * 1024 * 1024;
		Size		done;

		for (done = 0; done < bytes; done += slice)
		{
			memcpy((char *) dsm_segment_address(seg) + done, (const char *) snap + done,
				   Min(slice, bytes - done));
			if (!overlay)
				cb_pause(NULL);
		}
	}

	SpinLockAcquire(&cs->lock);
	cs->generation = cb_generation;
	cs->covers = request;
	if (overlay)
	{
		cs->overlay_handle = dsm_segment_handle(seg);
		cs->overlay_bytes = bytes;
		cs->overlay_networks = gf_ctx_network_count(snap);
		cs->stale = gf_ctx_stale_count(snap);
		cs->overlay_builds++;
		/* what the pair holds: the base's but the stale, and the current rows */
		cs->networks = cs->base_networks - cs->stale + cb_rows_read;
	}
	else
	{
		cs->base_generation = cb_generation;
		cs->handle = dsm_segment_handle(seg);
		cs->bytes = bytes;
		cs->overlay_handle = DSM_HANDLE_INVALID;
		cs->overlay_bytes = 0;
		cs->overlay_networks = 0;
		cs->stale = 0;
		cs->full_builds++;
		cs->networks = gf_ctx_network_count(snap);
		cs->base_networks = cs->networks;
	}
	cs->devices = gf_ctx_device_count(snap);
	cs->interfaces = gf_ctx_interface_count(snap);
	cs->rates = gf_ctx_rate_count(snap);
	cs->build_ms = elapsed_ms;
	cs->built_at = GetCurrentTimestamp();
	cs->last_error[0] = '\0';
	SpinLockRelease(&cs->lock);

	if (overlay)
	{
		cb_overlay = seg;
		cb_overlay_networks = gf_ctx_network_count(snap);
	}
	else
	{
		cb_published = seg;
		cb_overlay = NULL;
		cb_overlay_networks = 0;
	}
	/* Processes still mapping the old ones keep them alive until they switch. */
	if (old_overlay != NULL)
		dsm_detach(old_overlay);
	if (old_base != NULL)
		dsm_detach(old_base);
	ereport(elapsed_ms >= 1000 ? LOG : DEBUG1,
			(errmsg("goflow2plus context %llu published (%s): %u networks, %u devices, %u interfaces, %u sampling rates, %zu bytes, built in %.0f ms (%d ms of it paused for receiving workers)",
					(unsigned long long) cb_generation, overlay ? "overlay" : "full",
					gf_ctx_network_count(snap), cs->devices,
					cs->interfaces, cs->rates, (size_t) bytes, elapsed_ms,
					cb_paused_ms)));
	return true;
}

/*
 * goflow2plus.context_config: bring the 'file' rows in line with the file
 * (cheap when nothing changed: one stat()).  A load that changes rows
 * commits here, and its trigger bumps the request counter the loop reads
 * next.
 */
static void
cb_sync_config_file(void)
{
	char		errbuf[256];
	MemoryContext caller = CurrentMemoryContext;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		bool		ok;

		PushActiveSnapshot(GetTransactionSnapshot());
		ok = gf_context_config_sync(errbuf, sizeof(errbuf));
		PopActiveSnapshot();
		CommitTransactionCommand();
		if (!ok)
			cb_record_error(errbuf);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		cb_record_error(edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/* One build: true when a snapshot covering 'request' was published. */
static bool
cb_build(uint64 request, bool want_overlay)
{
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_build_info info;
	gf_ctx_snapshot *volatile snap;
	instr_time	start,
				elapsed;
	volatile bool ok = false;
	bool		overlay;

	if (b == NULL)
	{
		cb_record_error("out of memory starting a context build");
		return false;
	}
	INSTR_TIME_SET_CURRENT(start);
	cb_paused_ms = 0;
	if (!cb_read_tables(b, want_overlay))
	{
		gf_ctx_builder_free(b);
		if (!cb_is_overlay)
			cb_index_drop();
		return false;
	}
	overlay = cb_is_overlay;
	memset(&info, 0, sizeof(info));
	/* an overlay's few rows build in milliseconds: nothing to pause for */
	if (!overlay)
		gf_ctx_builder_set_pause(b, cb_pause, NULL);
	snap = gf_ctx_build(b, cb_generation + 1, &info);
	if (snap == NULL)
	{
		/* An overlay refused (a duplicate spelled two ways): a full build says why. */
		if (overlay)
			return cb_build(request, false);
		cb_index_drop();
		cb_record_error(info.message);
		ereport(LOG,
				(errmsg("goflow2plus context builder: %s", info.message),
				 errdetail("The context in use stays.")));
		return false;
	}
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	cb_generation++;
	PG_TRY();
	{
		ok = cb_publish(snap, overlay, request, INSTR_TIME_GET_MILLISEC(elapsed));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* E.g. /dev/shm too small for the segment: keep what is in use. */
		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		FlushErrorState();
		cb_record_error(edata->message);
		ereport(LOG,
				(errmsg("goflow2plus context builder: cannot publish: %s", edata->message),
				 errdetail("The context in use stays; the build is retried in %d s.",
						   CB_RETRY_MS / 1000)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	free(snap);
	if (!overlay)
	{
		/* the log was emptied: only a new index on what is published is right */
		cb_index_drop();
		if (ok)
			cb_index = gf_ctx_net_index_new((const gf_ctx_snapshot *)
											dsm_segment_address(cb_published));
	}
	return ok;
}

void
goflow2plus_context_builder_main(Datum main_arg)
{
	GfContextShared *cs = gf_context_shared();
	uint64		built = 0;
	uint64		failed = 0;
	TimestampTz retry_at = 0;
	TimestampTz last_change = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	if (cs == NULL)
		ereport(FATAL, (errmsg("goflow2plus context builder has no shared memory")));

	/*
	 * Keep the scratch memory of a full build in this process: by default
	 * glibc maps each large array afresh and unmaps it at free, so every
	 * build had the kernel clear ~600 MB of new pages (about 15 % of its
	 * CPU).  With no mmap'd chunks and no trimming the pages stay, and the
	 * next build reuses them (the peak stays resident instead, and grew
	 * over successive builds in test/bench/context_rebuild.sh: off by
	 * default).
	 */
	if (gf_guc_context_keep_build_memory)
	{
		mallopt(M_MMAP_MAX, 0);
		mallopt(M_TRIM_THRESHOLD, INT_MAX);
	}
	BackgroundWorkerInitializeConnection(gf_guc_database, NULL, 0);
	pgstat_report_appname("goflow2plus context builder");

	SpinLockAcquire(&cs->lock);
	cs->builder_latch = MyLatch;
	cs->builder_pid = MyProcPid;
	/*
	 * Generations go on from the last one published (by an earlier run of
	 * this process): processes switch when the number differs, so it must
	 * never come back.
	 */
	cb_generation = cs->generation;
	SpinLockRelease(&cs->lock);
	before_shmem_exit(cb_on_exit, (Datum) 0);

	for (;;)
	{
		uint64		request;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		cb_sync_config_file();
		/* Read before the snapshot is taken: see context_shared.c. */
		request = pg_atomic_read_u64(&cs->requested);
		/* A failed build waits CB_RETRY_MS, unless something changed since. */
		if (request != built &&
			(request != failed || GetCurrentTimestamp() >= retry_at))
		{
			if (cb_build(request, true))
				built = request;
			else
			{
				failed = request;
				retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), CB_RETRY_MS);
			}
			last_change = GetCurrentTimestamp();
		}
		else if (cb_overlay != NULL && cb_overlay_networks > CB_MERGE_OVERLAY &&
				 GetCurrentTimestamp() >= TimestampTzPlusMilliseconds(last_change,
																	  CB_MERGE_IDLE_MS))
		{
			/* a quiet spell: merge the overlay into a new base */
			(void) cb_build(built, false);
			last_change = GetCurrentTimestamp();
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 CB_POLL_MS, GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
	}
}
