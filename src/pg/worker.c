/*
 * worker.c
 *    The background worker: one UDP socket, one decoder, one batch writer.
 *
 *    Loop: sleep on a WaitEventSet (latch, postmaster death, socket) until
 *    a datagram arrives or the pending batch is due; drain the socket with
 *    recvmmsg until EAGAIN (a bounded number of rounds, so SIGTERM and
 *    SIGHUP are seen under any load); decode each datagram straight into
 *    the writer; write the batch in one transaction when it is full or
 *    goflow2plus.flush_interval after its first record.  SIGTERM (a
 *    server shutdown, or pg_terminate_backend) only sets a flag: the loop
 *    writes the batch it holds and then exits, so a clean shutdown loses
 *    no record already received.
 *
 *    Nothing received may end the worker: a crash would make the
 *    postmaster restart every backend and empty the unlogged tables.  A
 *    malformed datagram is counted and logged at most once per 10 s.  A
 *    batch that cannot be written (a lock held past lock_timeout, a
 *    read-only database, a full disk, a dropped table) is rolled back and
 *    kept; records received meanwhile wait in the spool (spool.c), and the
 *    batch is retried with a growing delay while the loop keeps reading
 *    the socket.  Datagrams from sources outside
 *    goflow2plus.allowed_exporters are dropped before decoding.  See
 *    src/pg/README.md.
 */
#include "postgres.h"

#include <time.h>

#include "gf_clock.h"
#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "decode.h"
#include "flow_writer.h"
#include "batch_txn.h"
#include "exporters_fn.h"
#include "geoip_guc.h"
#include "gf_shmem.h"
#include "goflow2plus.h"
#include "iface_learn.h"
#include "mapping_fn.h"
#include "pg_compat.h"
#include "sinks.h"
#include "spool.h"
#include "state_store.h"
#include "template_sync.h"
#include "udp_socket.h"

/* Datagrams per recvmmsg call and the buffer for each. */
#define WK_RECV_BATCH		64
#define WK_RECV_BUFSIZE		65536
/* recvmmsg rounds per wake-up before interrupts and deadlines are looked at. */
#define WK_DRAIN_ROUNDS		16
/* At most one LOG line per this many ms for each kind of trouble. */
#define WK_LOG_INTERVAL_MS	10000
/* Housekeeping (template expiry, counters to shared memory) period. */
#define WK_TICK_MS			1000

/* Delay before retrying a failed batch: doubles from MIN up to MAX. */
#define WK_BACKOFF_MIN_MS	50
#define WK_BACKOFF_MAX_MS	5000
/* Attempts before a batch failing with a non-transient error is dropped. */
#define WK_MAX_ATTEMPTS		3
/* Longest one pass writes spooled batches before reading the socket again. */
#define WK_SPOOL_PASS_MS	100
/* Longest the exit spends writing what the spool holds. */
#define WK_EXIT_WRITE_MS	10000
/* Longest the exit waits for NATS to acknowledge what is in flight. */
#define WK_EXIT_NATS_MS		2000

/* Adapter counters kept locally, published to the slot with the decoder's. */
typedef struct WkCounters
{
#define WK_COUNTER_FIELD(name, desc) uint64 name;
	GF_ADAPTER_COUNTER_LIST(WK_COUNTER_FIELD)
#undef WK_COUNTER_FIELD
} WkCounters;

typedef struct Worker
{
	int			slotno;
	GfWorkerSlot *slot;
	gf_listen_uri uri;			/* copied from the slot when claimed */
	int			socket_no;
	int			fd;
	gf_decoder *decoder;
	gf_sink		sink;
	MemoryContext loop_cxt;		/* scratch of one loop pass, reset each pass */
	uint64		writer_nomem_before;	/* records dropped by earlier writers */
	GfWriter   *writer;
	int			writer_capacity;
	GfRecvBatch *recv;
	WaitEventSet *wes;
	GfStateStore state;			/* templates kept in SQL (state_store.c) */
	GfSpool    *spool;			/* records behind a batch that failed */

	WkCounters	c;
	uint64		base[GF_NCOUNTERS]; /* slot values from earlier runs */

	/* The batch being filled. */
	int64		batch_first_ms; /* monotonic ms of its first record, 0 if empty */
	uint64		flush_rows;		/* size of the batch being written, for errcontext */
	bool		flush_log_it;	/* the failed write is logged (wk_flush_log_error) */

	/*
	 * Retry state.  retry_pending: the writer holds a batch whose last
	 * attempt failed; new records go to the spool until it is written.
	 */
	bool		retry_pending;
	int64		retry_at_ms;
	int			backoff_ms;
	int			attempts;		/* failed attempts of the batch held */
	int64		fault_since_ms; /* first failure since writes last worked, or 0 */
	uint64		fault_failures; /* failed attempts since then */
	uint64		fault_spool_dropped;	/* spool_dropped since then */

	/* Rate limits and state for the log. */
	int64		decode_log_ms;
	uint64		decode_errors_unlogged;
	int64		flush_log_ms;
	int			flush_log_sqlstate; /* of the last flush error logged */
	uint64		flush_errors_unlogged;
	int64		spool_log_ms;
	uint64		spool_dropped_unlogged;
	int64		deny_log_ms;
	uint64		denied_unlogged;
	bool		extension_missing_logged;
	int			rcvbuf_applied;
	int64		next_tick_ms;
	bool		release_pending;	/* kept data sets are ready to decode */
	uint64		reset_generation;	/* of goflow2plus.reset_stats() applied */
} Worker;

static Worker wk;
static emit_log_hook_type wk_prev_emit_log_hook = NULL;
/* The last ERROR or worse reported, for the slot if it ends the worker. */
static char wk_last_error[GF_SLOT_ERROR_LEN];
/* Set by wk_shutdown: the exit is the one SIGTERM asked for. */
static bool wk_clean_exit = false;

static void wk_emit_log(ErrorData *edata);

static bool wk_flush(Worker *w);
static void wk_spool_full(Worker *w);

#define wk_now_ms() gf_monotonic_ms()

#define wk_realtime_ns() gf_realtime_ns()

/*
 * Copy every counter into shared memory.  Each value is base (what the
 * slot held when this run started, so restarts do not set counters back)
 * plus this run's count.
 */
static void
wk_publish(Worker *w)
{
	const uint64 *dec = (const uint64 *) gf_decoder_counters(w->decoder);
	const uint64 *ad = (const uint64 *) &w->c;
	GfSinkCounts sc;
	int			i;
	uint32		drops;
	uint32		queued = 0;

	/*
	 * The socket's own drop count, exact now; SO_RXQ_OVFL (taken from the
	 * datagrams) stays the fallback where the kernel lacks SO_MEMINFO.
	 */
	if (gf_udp_meminfo(w->fd, &drops, &queued) && drops >= w->c.kernel_drops)
		w->c.kernel_drops = drops;
	w->c.writer_nomem_dropped = w->writer_nomem_before +
		gf_writer_dropped(w->writer);
	gf_sinks_counts(&sc);
	w->c.nats_published = sc.nats_published;
	w->c.nats_acked = sc.nats_acked;
	w->c.nats_failed = sc.nats_failed;
	w->c.nats_dropped = sc.nats_dropped;
	w->c.nats_retries = sc.nats_retries;
	w->c.file_written = sc.file_written;
	w->c.file_errors = sc.file_errors;
	for (i = 0; i < GF_NDECODER_COUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i], w->base[i] + dec[i]);
	for (i = GF_NDECODER_COUNTERS; i < GF_NCOUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i],
							w->base[i] + ad[i - GF_NDECODER_COUNTERS]);
	/* Gauges, not sums over runs. */
	pg_atomic_write_u64(&w->slot->counters[GF_C_rcvbuf_bytes], w->c.rcvbuf_bytes);
	pg_atomic_write_u64(&w->slot->counters[GF_C_rcvq_bytes], queued);
	pg_atomic_write_u64(&w->slot->counters[GF_C_spool_records],
						gf_spool_records(w->spool) +
						(w->retry_pending ? (uint64) gf_writer_count(w->writer) : 0));
	pg_atomic_write_u64(&w->slot->counters[GF_C_spool_bytes],
						(uint64) gf_spool_bytes(w->spool));
	pg_atomic_write_u64(&w->slot->counters[GF_C_nf_pending_bytes],
						(uint64) gf_decoder_pending_bytes(w->decoder));
	pg_atomic_write_u64(&w->slot->counters[GF_C_nats_inflight], sc.nats_inflight);
	pg_atomic_write_u64(&w->slot->counters[GF_C_nats_buffered], sc.nats_buffered);
	gf_traffic_publish(&w->slot->traffic);
}

/*
 * Records go straight to the writer only while nothing waits: no failed
 * batch is held and the spool is empty (order is kept).
 */
static inline bool
wk_writer_open(Worker *w)
{
	return !w->retry_pending && gf_spool_records(w->spool) == 0;
}

/*
 * The sink: decoded records go to the NATS and file sinks (sinks.h) and to
 * the writer; a full batch is written at once.
 */
static void
wk_sink_flow(void *arg, const gf_flow *f)
{
	Worker	   *w = (Worker *) arg;

	gf_sinks_flow(f);
	if (!gf_sinks_table)
		return;
	if (!wk_writer_open(w))
	{
		if (!gf_spool_put_flow(w->spool, f))
			wk_spool_full(w);
	}
	else if (gf_writer_add_flow(w->writer, f))
		(void) wk_flush(w);
}

static void
wk_sink_ifcounters(void *arg, const gf_ifcounters *c)
{
	Worker	   *w = (Worker *) arg;

	if (!wk_writer_open(w))
	{
		if (!gf_spool_put_ifcounters(w->spool, c))
			wk_spool_full(w);
	}
	else if (gf_writer_add_ifcounters(w->writer, c))
		(void) wk_flush(w);
}

/* sFlow drop samples: the writer copies the header out of the datagram. */
static void
wk_sink_drop(void *arg, const gf_drop_sample *d)
{
	Worker	   *w = (Worker *) arg;

	if (!wk_writer_open(w))
	{
		if (!gf_spool_put_drop(w->spool, d))
			wk_spool_full(w);
	}
	else if (gf_writer_add_drop(w->writer, d))
		(void) wk_flush(w);
}

/*
 * A record the spool could not take: counted; logged when it starts and
 * then at most once per WK_LOG_INTERVAL_MS.  Runs inside the decoder's
 * sink, so only LOG (never ERROR).
 */
static void
wk_spool_full(Worker *w)
{
	int64		now;

	w->c.spool_dropped++;
	w->fault_spool_dropped++;
	w->spool_dropped_unlogged++;
	now = wk_now_ms();
	if (w->spool_log_ms != 0 && now - w->spool_log_ms < WK_LOG_INTERVAL_MS &&
		w->fault_spool_dropped > 1)
		return;
	ereport(LOG,
			(errmsg("goflow2plus worker %d: spool full (%zu kB, %llu records, goflow2plus.spool_size = %d kB): dropping received records",
					w->slotno, gf_spool_bytes(w->spool) / 1024,
					(unsigned long long) gf_spool_records(w->spool), gf_guc_spool_size),
			 errdetail("%llu records dropped since the last message; all are counted in spool_dropped.",
					   (unsigned long long) w->spool_dropped_unlogged),
			 errhint("End what keeps batches from being written (see the previous message), or raise goflow2plus.spool_size.")));
	w->spool_log_ms = now;
	w->spool_dropped_unlogged = 0;
}

/* (Re)create the writer with the current goflow2plus.batch_size. */
static void
wk_make_writer(Worker *w)
{
	/* The writer owns its buffers and prepared plans: it frees them. */
	if (w->writer != NULL)
	{
		w->writer_nomem_before += gf_writer_dropped(w->writer);
		gf_writer_destroy(w->writer);
	}
	w->writer = gf_writer_create(TopMemoryContext, gf_guc_batch_size);
	w->writer_capacity = gf_guc_batch_size;
	w->batch_first_ms = 0;
}

/*
 * The extension is missing (not created yet, or dropped): say so once
 * per change of state, then stay quiet.
 */
static void
wk_note_extension(Worker *w, bool present)
{
	if (!present && !w->extension_missing_logged)
	{
		ereport(LOG,
				(errmsg("goflow2plus worker %d: extension \"goflow2plus\" does not exist in database \"%s\"; received records are dropped until CREATE EXTENSION goflow2plus",
						w->slotno, gf_guc_database)));
		w->extension_missing_logged = true;
	}
	else if (present && w->extension_missing_logged)
	{
		ereport(LOG,
				(errmsg("goflow2plus worker %d: extension \"goflow2plus\" found; writing records",
						w->slotno)));
		w->extension_missing_logged = false;
	}
}

static void
wk_flush_error_context(void *arg)
{
	Worker	   *w = (Worker *) arg;

	errcontext("goflow2plus worker %d (%s) writing a batch of %llu records to database \"%s\"",
			   w->slotno, w->uri.text, (unsigned long long) w->flush_rows,
			   gf_guc_database);
}

/*
 * Errors that say "not now" rather than "never": the same batch may be
 * written later, once a lock is released, the database is writable again,
 * space is freed, a dropped table is back or privileges are granted.
 * Anything else (a CHECK constraint, a user's trigger raising, a column
 * type the rows do not fit) would fail the same way forever.
 */
bool
gf_write_error_is_transient(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES):	/* 53: disk full, memory */
		case ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR): /* 58: I/O */
		case ERRCODE_TO_CATEGORY(ERRCODE_TRANSACTION_ROLLBACK): /* 40: deadlock */
			return true;
	}
	switch (sqlerrcode)
	{
		case ERRCODE_LOCK_NOT_AVAILABLE:
		case ERRCODE_OBJECT_IN_USE:
		case ERRCODE_QUERY_CANCELED:
		case ERRCODE_READ_ONLY_SQL_TRANSACTION:
		case ERRCODE_UNDEFINED_TABLE:
		case ERRCODE_INVALID_SCHEMA_NAME:
		case ERRCODE_INSUFFICIENT_PRIVILEGE:
			return true;
	}
	return false;
}

/* What the operator can do about a failed write, by cause. */
static const char *
wk_fault_hint(int sqlerrcode)
{
	if (sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
		return "Another session holds a lock on a goflow2plus table (see pg_locks); each write waits at most " GF_LOCK_TIMEOUT " for it, then the worker goes back to receiving and retries later.";
	if (sqlerrcode == ERRCODE_READ_ONLY_SQL_TRANSACTION)
		return "The database does not accept writes (default_transaction_read_only); records are kept until it does.";
	if (sqlerrcode == ERRCODE_DISK_FULL)
		return "Free space where the table is stored (its tablespace); records are kept until a write succeeds.";
	if (sqlerrcode == ERRCODE_UNDEFINED_TABLE || sqlerrcode == ERRCODE_INVALID_SCHEMA_NAME)
		return "A goflow2plus table is missing: create it again, or DROP EXTENSION goflow2plus and CREATE EXTENSION goflow2plus; records are kept until then.";
	if (sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
		return "Grant INSERT on the goflow2plus tables to the role the workers run as; records are kept until then.";
	if (gf_write_error_is_transient(sqlerrcode))
		return "Records are kept and the batch is retried.";
	return "Retrying will not cure this error: the batch is dropped after a few attempts (counted in flush_errors) and later batches are written as usual.";
}

/*
 * Log flush failures when the cause changes, and otherwise at most once
 * per WK_LOG_INTERVAL_MS.
 */
static bool
wk_flush_log_due(Worker *w, int sqlerrcode, int64 now)
{
	if (sqlerrcode != w->flush_log_sqlstate ||
		now - w->flush_log_ms >= WK_LOG_INTERVAL_MS)
	{
		w->flush_log_ms = now;
		w->flush_log_sqlstate = sqlerrcode;
		return true;
	}
	w->flush_errors_unlogged++;
	return false;
}

/* Writes work again after failing: say so once, with what it cost. */
static void
wk_fault_ended(Worker *w, int64 now)
{
	if (w->fault_since_ms == 0)
		return;
	ereport(LOG,
			(errmsg("goflow2plus worker %d: writing again after %.1f s and %llu failed attempts; %llu records wait in the spool, %llu were dropped because it was full",
					w->slotno, (now - w->fault_since_ms) / 1000.0,
					(unsigned long long) w->fault_failures,
					(unsigned long long) gf_spool_records(w->spool),
					(unsigned long long) w->fault_spool_dropped)));
	w->fault_since_ms = 0;
	w->fault_failures = 0;
	w->fault_spool_dropped = 0;
	w->flush_log_sqlstate = 0;
	w->flush_errors_unlogged = 0;
}

/*
 * A flush failed with edata (its transaction is already rolled back):
 * keep the batch for a retry after the current delay, or, when the error
 * is not transient and the batch has had its attempts, drop it.
 */
static void
wk_flush_failed(Worker *w, ErrorData *edata, uint64 nrecords, bool log_it,
				int64 now)
{
	bool		transient = gf_write_error_is_transient(edata->sqlerrcode);

	w->attempts++;
	w->fault_failures++;
	if (w->fault_since_ms == 0)
		w->fault_since_ms = now;
	if (w->backoff_ms == 0)
		w->backoff_ms = WK_BACKOFF_MIN_MS;

	if (!transient && w->attempts >= WK_MAX_ATTEMPTS)
	{
		if (log_it)
			ereport(LOG,
					(errmsg("goflow2plus worker %d: dropped a batch of %llu records after %d failed attempts: %s",
							w->slotno, (unsigned long long) nrecords, w->attempts,
							edata->message),
					 errdetail("SQLSTATE %s; counted in flush_errors and flush_error_records.",
							   unpack_sql_state(edata->sqlerrcode)),
					 errhint("%s", wk_fault_hint(edata->sqlerrcode))));
		gf_writer_reset(w->writer);
		w->c.flush_errors++;
		w->c.flush_error_records += nrecords;
		w->retry_pending = false;
		w->attempts = 0;
		w->backoff_ms = WK_BACKOFF_MIN_MS;
		return;
	}

	gf_writer_keep_for_retry(w->writer);
	w->c.flush_retries++;
	w->retry_pending = true;
	w->retry_at_ms = now + w->backoff_ms;
	if (log_it)
		ereport(LOG,
				(errmsg("goflow2plus worker %d: could not write a batch of %llu records to database \"%s\": %s",
						w->slotno, (unsigned long long) nrecords, gf_guc_database,
						edata->message),
				 errdetail("SQLSTATE %s. The batch is kept and retried in %d ms (the delay doubles up to %d ms); %llu records received since wait in the spool (%zu kB of goflow2plus.spool_size %d kB); %llu failed attempts since writes last worked.",
						   unpack_sql_state(edata->sqlerrcode), w->backoff_ms,
						   WK_BACKOFF_MAX_MS,
						   (unsigned long long) gf_spool_records(w->spool),
						   gf_spool_bytes(w->spool) / 1024, gf_guc_spool_size,
						   (unsigned long long) w->fault_failures),
				 errhint("%s", wk_fault_hint(edata->sqlerrcode))));
	w->backoff_ms = Min(w->backoff_ms * 2, WK_BACKOFF_MAX_MS);
}

/*
 * Write the writer's batch in one transaction.  Returns true when the
 * writer is empty afterwards (written, dropped for want of the extension,
 * or dropped after a non-transient error), false when the batch is kept
 * for a retry.
 *
 * The transaction runs with a short lock_timeout, so a lock held by a
 * user makes it fail fast instead of stalling the receive loop.  Any ERROR
 * inside is caught here: the transaction is rolled back and the batch
 * handed to wk_flush_failed.  FATAL still exits.
 */
/*
 * gf_batch_write's question: does this failure get the full report (with
 * its context) in the log?  Rate-limited; transient errors get a short
 * line from wk_flush_failed instead.
 */
static bool
wk_flush_log_error(void *arg, int sqlerrcode)
{
	Worker	   *w = arg;

	w->flush_log_it = wk_flush_log_due(w, sqlerrcode, wk_now_ms());
	return w->flush_log_it && !gf_write_error_is_transient(sqlerrcode);
}

static bool
wk_flush(Worker *w)
{
	uint64		nrecords = (uint64) gf_writer_count(w->writer);
	ErrorData  *edata = NULL;
	bool		present = false;
	bool		log_it = false;
	int64		now;
	instr_time	started;

	w->batch_first_ms = 0;
	if (nrecords == 0)
		return true;
	INSTR_TIME_SET_CURRENT(started);

	{
		ErrorContextCallback errcb;
		GfBatchResult res;

		/* Lets a logged error say which worker and batch it came from. */
		errcb.callback = wk_flush_error_context;
		errcb.arg = w;
		w->flush_rows = nrecords;
		w->flush_log_it = false;
		res = gf_batch_write(w->writer, "goflow2plus: writing a batch", &errcb,
							 wk_flush_log_error, w);
		present = res.present;
		edata = res.edata;
		log_it = w->flush_log_it;
	}

	now = wk_now_ms();
	if (edata != NULL)
	{
		wk_flush_failed(w, edata, nrecords, log_it, now);
		FreeErrorData(edata);
	}
	else
	{
		wk_note_extension(w, present);
		if (present)
		{
			/*
			 * What the writer says it wrote: rows a BEFORE trigger skipped
			 * or a rule redirected are not counted as inserted.
			 */
			const GfWriterCounts *wr = gf_writer_written(w->writer);

			w->c.rows_inserted += wr->flows;
			w->c.ifcounter_rows_inserted += wr->ifcounters;
			w->c.sflow_drop_rows_inserted += wr->drops;
			w->c.rows_default_partition += wr->flows_default;
			w->c.partition_split_batches += wr->split_batches;
			w->c.rollup_rows_inserted += wr->rollups;
			w->c.flushes++;
			{
				instr_time	took;

				INSTR_TIME_SET_CURRENT(took);
				INSTR_TIME_SUBTRACT(took, started);
				gf_traffic_flush_time(&w->slot->traffic,
									  INSTR_TIME_GET_MICROSEC(took));
			}
		}
		else
			w->c.dropped_no_extension += nrecords;
		w->retry_pending = false;
		w->attempts = 0;
		w->backoff_ms = WK_BACKOFF_MIN_MS;
		wk_fault_ended(w, now);
	}

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return !w->retry_pending;
}

/*
 * Write spooled records, a batch at a time, oldest first, until the spool
 * is empty, a write fails, or the pass has taken WK_SPOOL_PASS_MS (the
 * socket must be read again before its buffer fills).
 */
static void
wk_write_spool(Worker *w, int64 budget_ms)
{
	int64		start = wk_now_ms();

	while (!w->retry_pending && gf_spool_records(w->spool) > 0)
	{
		int			room = w->writer_capacity - gf_writer_count(w->writer);

		(void) gf_spool_refill(w->spool, w->writer, Max(room, 1));
		if (!wk_flush(w))
			break;
		if (wk_now_ms() - start >= budget_ms)
			break;
	}
}

/* A datagram the decoder refused: counted by the core; logged rate-limited. */
static void
wk_decode_failed(Worker *w, const gf_datagram *dg, const gf_error *err)
{
	int64		now = wk_now_ms();
	char		exporter[64];

	if (now - w->decode_log_ms < WK_LOG_INTERVAL_MS)
	{
		w->decode_errors_unlogged++;
		return;
	}
	gf_addr_format(&dg->exporter, exporter, sizeof(exporter));
	ereport(LOG,
			(errmsg("goflow2plus worker %d: dropped a %zu-byte datagram from %s port %u: %s (at byte %zu)",
					w->slotno, dg->len, exporter, (unsigned) dg->exporter_port,
					err->msg, err->offset),
			 w->decode_errors_unlogged > 0 ?
			 errdetail("%llu more malformed datagrams in the last %d s were not logged; see goflow2plus.stats().",
					   (unsigned long long) w->decode_errors_unlogged,
					   WK_LOG_INTERVAL_MS / 1000) : 0));
	w->decode_log_ms = now;
	w->decode_errors_unlogged = 0;
	w->c.decode_errors_logged++;
}

/*
 * A datagram from a source outside goflow2plus.allowed_exporters: counted,
 * logged at most once per WK_LOG_INTERVAL_MS, never decoded.
 */
static void
wk_exporter_denied(Worker *w, const gf_datagram *dg)
{
	int64		now = wk_now_ms();
	char		exporter[64];

	w->c.exporters_denied++;
	if (w->deny_log_ms != 0 && now - w->deny_log_ms < WK_LOG_INTERVAL_MS)
	{
		w->denied_unlogged++;
		return;
	}
	gf_addr_format(&dg->exporter, exporter, sizeof(exporter));
	ereport(LOG,
			(errmsg("goflow2plus worker %d: ignored a datagram from %s port %u: the address is not in goflow2plus.allowed_exporters",
					w->slotno, exporter, (unsigned) dg->exporter_port),
			 w->denied_unlogged > 0 ?
			 errdetail("%llu more denied datagrams in the last %d s were not logged; all are counted in exporters_denied.",
					   (unsigned long long) w->denied_unlogged,
					   WK_LOG_INTERVAL_MS / 1000) : 0,
			 errhint("Add the exporter to goflow2plus.allowed_exporters and reload if it should be heard.")));
	w->deny_log_ms = now;
	w->denied_unlogged = 0;
}

/* Decode one received batch. */
static void
wk_decode_batch(Worker *w, int n)
{
	uint64		now_ns = wk_realtime_ns();
	gf_proto	proto = w->uri.proto;
	int			i;

	for (i = 0; i < n; i++)
	{
		gf_datagram dg;
		GfRecvInfo	info;
		gf_error	err;

		gf_recv_datagram(w->recv, i, now_ns, &dg, &info);
		w->c.bytes_received += dg.len;
		if (info.has_drops)
			w->c.kernel_drops = info.kernel_drops;

		/* Before anything is decoded: templates and rates included. */
		if (!gf_exporter_acl_allows(gf_exporter_acl_current, &dg.exporter))
		{
			gf_traffic_denied(dg.len);
			wk_exporter_denied(w, &dg);
			continue;
		}
		/* Per-source figures for /metrics (traffic_stats.h). */
		gf_traffic_begin(&dg.exporter, dg.len, gf_decoder_counters(w->decoder));

		if (info.truncated)
		{
			gf_counters *dc = gf_decoder_counters(w->decoder);

			/* Only part of it is here: decoding it could only mislead. */
			dc->packets++;
			dc->packets_malformed++;
			w->c.recv_truncated++;
			memset(&err, 0, sizeof(err));
			err.code = GF_ERR_TRUNCATED;
			err.offset = dg.len;
			snprintf(err.msg, sizeof(err.msg),
					 "datagram longer than the %d-byte receive buffer", WK_RECV_BUFSIZE);
			wk_decode_failed(w, &dg, &err);
			continue;
		}
		if (gf_decode(w->decoder, proto, &dg, &w->sink, &err) != GF_OK)
			wk_decode_failed(w, &dg, &err);
	}
	/* Before anything else moves the decoder's counters (release, expiry). */
	gf_traffic_settle(gf_decoder_counters(w->decoder));
}

/*
 * Read and decode what the socket holds, until EAGAIN, WK_DRAIN_ROUNDS
 * calls or a shutdown request; under sustained load the wait returns at
 * once and we are back.
 */
static void
wk_drain(Worker *w)
{
	int			round;

	for (round = 0; round < WK_DRAIN_ROUNDS; round++)
	{
		int			n = gf_recv_batch(w->fd, w->recv);

		if (n < 0)
		{
			int64		now = wk_now_ms();

			w->c.recv_errors++;
			if (now - w->decode_log_ms >= WK_LOG_INTERVAL_MS)
			{
				ereport(LOG,
						(errcode_for_socket_access(),
						 errmsg("goflow2plus worker %d: recvmmsg failed on %s: %m",
								w->slotno, w->uri.text)));
				w->decode_log_ms = now;
			}
			break;
		}
		if (n == 0)
			break;
		wk_decode_batch(w, n);
		if (w->batch_first_ms == 0 && gf_writer_count(w->writer) > 0)
			w->batch_first_ms = wk_now_ms();
		if (n < WK_RECV_BATCH)
			break;
		CHECK_FOR_INTERRUPTS();
		/* Stop reading: what is queued now is not ours to write. */
		if (ShutdownRequestPending)
			break;
	}
}

/* SIGHUP: re-read the settings that may change without a restart. */
static void
wk_reload(Worker *w)
{
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	gf_geoip_refresh();
	if (gf_guc_rcvbuf != w->rcvbuf_applied)
	{
		w->c.rcvbuf_bytes = (uint64) gf_udp_set_rcvbuf(w->fd, gf_guc_rcvbuf,
													   w->uri.text);
		w->rcvbuf_applied = gf_guc_rcvbuf;
	}
	gf_spool_set_limit(w->spool, (Size) gf_guc_spool_size * 1024);
	gf_decoder_set_idle_ms(w->decoder, (uint32) gf_guc_exporter_idle_timeout * 1000);
	gf_sinks_reload();
	/* A new batch size: write the batch first (wk_resize_writer). */
	if (gf_guc_batch_size != w->writer_capacity && wk_writer_open(w))
		(void) wk_flush(w);
}

/*
 * Apply a new goflow2plus.batch_size once the writer is empty: a batch
 * kept for a retry, or spooled records, are written first.
 */
static void
wk_resize_writer(Worker *w)
{
	if (gf_guc_batch_size != w->writer_capacity &&
		!w->retry_pending && gf_writer_count(w->writer) == 0)
		wk_make_writer(w);
}

/*
 * Save templates and sampling rates that changed (NetFlow / flow sockets
 * only).  Not before the extension was seen: without it there is nowhere
 * to save, and trying would cost a transaction every tick.
 */
static void
wk_sync_state(Worker *w)
{
	if (w->uri.proto == GF_PROTO_SFLOW || w->extension_missing_logged)
		return;
	if (!w->state.loaded && w->c.flushes == 0)
		return;
	if (gf_state_pending(&w->state, w->decoder))
		gf_state_sync(&w->state, w->decoder);
	(void) gf_state_expire(&w->state, w->decoder);
}

/*
 * SIGTERM: write what was received, then exit.  The batch holds at most
 * one drain round more than usual (WK_DRAIN_ROUNDS x WK_RECV_BATCH
 * datagrams), so a flood delays the exit by one bounded flush.  Exit
 * status 1, as die() gives.  Whether the worker comes back is the
 * supervisor's call (supervisor.c): after pg_terminate_backend it is
 * started again, after its listener was removed it is not.
 */
static void
wk_shutdown(Worker *w)
{
	uint64		pending = (uint64) gf_writer_count(w->writer) +
		gf_spool_records(w->spool);
	uint64		lost;

	/*
	 * The batch held (one attempt, whatever its retry delay), then the
	 * spool while writes succeed and WK_EXIT_WRITE_MS allows.
	 */
	if (wk_flush(w))
		wk_write_spool(w, WK_EXIT_WRITE_MS);
	lost = (uint64) gf_writer_count(w->writer) + gf_spool_records(w->spool);
	if (lost > 0)
	{
		ereport(LOG,
				(errmsg("goflow2plus worker %d: exiting with %llu received records not written; they are lost",
						w->slotno, (unsigned long long) lost),
				 errdetail("Writes were failing (see the messages above); counted in spool_dropped.")));
		w->c.spool_dropped += lost;
		gf_writer_reset(w->writer);
		gf_spool_clear(w->spool);
		w->retry_pending = false;
	}
	wk_sync_state(w);
	gf_template_sync_stop(w->decoder);
	gf_iface_learn_write();
	gf_sinks_stop(WK_EXIT_NATS_MS);
	wk_publish(w);
	wk_clean_exit = true;
	ereport(DEBUG1,
			(errmsg("goflow2plus worker %d: shutting down after writing %llu pending records",
					w->slotno, (unsigned long long) pending)));
	proc_exit(1);
}

static void
wk_on_exit(int code, Datum arg)
{
	GfWorkerSlot *slot = (GfWorkerSlot *) DatumGetPointer(arg);

	/* An error ends us: goflow2plus.listeners() shows it. */
	if (!wk_clean_exit && wk_last_error[0] != '\0')
		gf_slot_set_state(slot, GF_LS_FAILED, wk_last_error);
	pg_atomic_write_u32(&slot->ready, 0);
	pg_atomic_write_u32(&slot->pid, 0);
	if (emit_log_hook == wk_emit_log)
		emit_log_hook = wk_prev_emit_log_hook;
}

/*
 * Remember the message of the last ERROR or worse: when one ends this
 * worker (a port already in use, a database that does not exist, out of
 * memory: the background worker's error handler reports it, then exits
 * with status 1), wk_on_exit puts it in the slot, where
 * goflow2plus.listeners() shows it after the worker is gone.  ERRORs the
 * loop catches and survives are reported too, but only an exit other
 * than the one SIGTERM asks for copies the message.
 */
static void
wk_emit_log(ErrorData *edata)
{
	if (wk_prev_emit_log_hook)
		wk_prev_emit_log_hook(edata);
	if (edata->elevel >= ERROR && edata->message != NULL)
		strlcpy(wk_last_error, edata->message, sizeof(wk_last_error));
}

/* Milliseconds the wait may last: until the batch or the tick is due. */
static long
wk_timeout(Worker *w, int64 now)
{
	int64		until = w->next_tick_ms;

	/* Kept data sets whose template came: next slice at once. */
	if (w->release_pending)
		return 0;
	if (w->retry_pending)
		until = Min(until, w->retry_at_ms);
	else if (gf_spool_records(w->spool) > 0)
		until = now;			/* more to write from the spool */
	else if (w->batch_first_ms != 0)
		until = Min(until, w->batch_first_ms + gf_guc_flush_interval);
	return (long) Max(until - now, 0);
}

void
goflow2plus_worker_main(Datum main_arg)
{
	Worker	   *w = &wk;
	GfShared   *shared = gf_shmem_get();
	GfSlotMeta	meta;
	int			i;

	memset(w, 0, sizeof(*w));
	w->slotno = DatumGetInt32(main_arg);
	w->fd = -1;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	/* Sets ShutdownRequestPending; the loop writes its batch, then exits. */
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	w->slot = gf_slot_claim(w->slotno, &meta);
	if (w->slot == NULL)
	{
		/* Removed, or given to another listener, before we started. */
		ereport(LOG,
				(errmsg("goflow2plus worker %d: slot no longer assigned to this worker; exiting",
						w->slotno)));
		proc_exit(0);
	}
	w->uri = meta.uri;
	w->socket_no = meta.socket_no;
	/* Counted now, so that a start that fails (a port in use) shows too. */
	pg_atomic_fetch_add_u64(&w->slot->counters[GF_C_worker_starts], 1);
	/* A fresh decoder has nothing to reset: only later calls concern it. */
	w->reset_generation = pg_atomic_read_u64(&shared->reset_generation);
	for (i = 0; i < GF_NCOUNTERS; i++)
		w->base[i] = pg_atomic_read_u64(&w->slot->counters[i]);
	gf_traffic_init(&w->slot->traffic);
	before_shmem_exit(wk_on_exit, PointerGetDatum(w->slot));
	wk_prev_emit_log_hook = emit_log_hook;
	emit_log_hook = wk_emit_log;

	/*
	 * Bind before connecting, so the kernel queues datagrams while the
	 * connection is being set up.
	 */
	w->fd = gf_udp_open(&w->uri, gf_guc_rcvbuf);
	w->rcvbuf_applied = gf_guc_rcvbuf;
	w->c.rcvbuf_bytes = (uint64) gf_udp_set_rcvbuf(w->fd, 0, w->uri.text);

	BackgroundWorkerInitializeConnection(gf_guc_database, NULL, 0);
	pgstat_report_appname("goflow2plus worker");

	/* Libraries (the decoder) are set up here, never in the postmaster. */
	{
		gf_limits	lim;

		/* Zero fields take the core's defaults (src/core/decode.c). */
		memset(&lim, 0, sizeof(lim));
		lim.max_exporters = (uint32) gf_guc_max_exporters;
		lim.max_templates = (uint32) gf_guc_max_templates;
		lim.max_templates_per_exporter = (uint32) gf_guc_max_templates_per_exporter;
		/* 0 kB keeps nothing: one byte is below any set's charge. */
		lim.pending_bytes_per_exporter = gf_guc_pending_per_exporter > 0 ?
			(uint32) gf_guc_pending_per_exporter * 1024 : 1;
		lim.exporter_idle_ms = (uint32) gf_guc_exporter_idle_timeout * 1000;
		w->decoder = gf_decoder_new(&lim);
	}
	if (w->decoder == NULL)
		ereport(FATAL,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("goflow2plus worker %d: out of memory creating the decoder",
						w->slotno)));
	w->recv = gf_recv_batch_create(TopMemoryContext, WK_RECV_BATCH, WK_RECV_BUFSIZE);
	wk_make_writer(w);
	w->spool = gf_spool_create(TopMemoryContext, (Size) gf_guc_spool_size * 1024);
	w->backoff_ms = WK_BACKOFF_MIN_MS;
	w->sink.flow = wk_sink_flow;
	w->sink.ifcounters = wk_sink_ifcounters;
	w->sink.drop = wk_sink_drop;
	w->sink.arg = w;
	/* Interface names and speeds exporters send (iface_learn.c). */
	gf_iface_learn_init(w->slotno, &w->c.iface_learnt_written,
						&w->c.iface_learnt_refused);
	w->sink.interface = gf_iface_learn_sink;
	/* Threads of the NATS sink start here, never in the postmaster. */
	gf_sinks_start(w->slotno);
	/* Templates shared with other collectors (NetFlow sockets only). */
	if (w->slot->uri.proto != GF_PROTO_SFLOW)
		gf_template_sync_start(w->slotno, &w->c.templates_shared,
							   &w->c.templates_share_errors);

	/*
	 * Templates saved by an earlier run, before saying ready: the first
	 * data set after a restart then finds its template.
	 */
	gf_state_init(&w->state, w->slotno);
	if (w->uri.proto != GF_PROTO_SFLOW)
		gf_state_sync(&w->state, w->decoder);

	w->wes = gf_create_wait_event_set(3);
	AddWaitEventToSet(w->wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(w->wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(w->wes, WL_SOCKET_READABLE, w->fd, NULL, NULL);

	gf_geoip_refresh();
	w->next_tick_ms = wk_now_ms() + WK_TICK_MS;
	wk_publish(w);
	gf_slot_set_running(w->slot);
	ereport(LOG,
			(errmsg("goflow2plus worker %d listening on %s (socket %d of %u), writing to database \"%s\"",
					w->slotno, w->uri.text, w->socket_no + 1,
					(unsigned) w->uri.count, gf_guc_database)));

	w->loop_cxt = AllocSetContextCreate(TopMemoryContext,
										"goflow2plus worker pass",
										ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		WaitEvent	events[3];
		int64		now;

		/*
		 * Whatever a pass allocates and does not hand to a longer-lived
		 * owner (error data, a reload's leftovers) goes with the pass.
		 */
		MemoryContextSwitchTo(w->loop_cxt);
		MemoryContextReset(w->loop_cxt);

		(void) WaitEventSetWait(w->wes, wk_timeout(w, wk_now_ms()), events,
								lengthof(events), GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
			wk_reload(w);
		/* A committed mapping change: one atomic read when there is none. */
		gf_mapping_worker_refresh(w->decoder);

		/* Level-triggered: trying costs one EAGAIN when nothing waits. */
		wk_drain(w);

		/*
		 * One bounded slice of data sets that waited for a template per
		 * pass, so a flood of released data never keeps the loop from
		 * the socket.
		 */
		w->release_pending = gf_decoder_release(w->decoder, wk_realtime_ns(),
												&w->sink);
		/* Released records start the flush clock like received ones. */
		if (w->batch_first_ms == 0 && gf_writer_count(w->writer) > 0)
			w->batch_first_ms = wk_now_ms();
		/* What the pass gave the file and NATS sinks goes on now. */
		gf_sinks_pass_end();

		if (ShutdownRequestPending)
			wk_shutdown(w);

		now = wk_now_ms();
		if (w->retry_pending)
		{
			if (now >= w->retry_at_ms && wk_flush(w))
				wk_write_spool(w, WK_SPOOL_PASS_MS);
		}
		else if (gf_spool_records(w->spool) > 0)
			wk_write_spool(w, WK_SPOOL_PASS_MS);
		else if (w->batch_first_ms != 0 &&
				 now - w->batch_first_ms >= gf_guc_flush_interval)
			(void) wk_flush(w);
		wk_resize_writer(w);
		gf_exporters_reset_if_asked(w->slot, w->decoder, &w->reset_generation);
		if (now >= w->next_tick_ms)
		{
			gf_decoder_expire(w->decoder, wk_realtime_ns());
			gf_exporters_publish(w->slot, w->decoder);
			wk_sync_state(w);
			gf_template_sync_tick(w->decoder);
			gf_iface_learn_write();
			/* GeoIP files follow their settings even with no traffic. */
			gf_geoip_refresh();
			gf_sinks_tick();
			w->next_tick_ms = now + WK_TICK_MS;
		}
		wk_publish(w);
	}
}
