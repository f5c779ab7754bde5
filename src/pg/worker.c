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
 *    malformed datagram is counted and logged at most once per 10 s; a
 *    failed batch is reported (also rate-limited), rolled back and
 *    dropped, and the loop goes on.  See src/pg/README.md.
 */
#include "postgres.h"

#include <time.h>

#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "decode.h"
#include "flow_writer.h"
#include "gf_shmem.h"
#include "goflow2plus.h"
#include "pg_compat.h"
#include "state_store.h"
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
	int			fd;
	gf_decoder *decoder;
	gf_sink		sink;
	MemoryContext writer_cxt;	/* holds the writer; dropped to resize it */
	GfWriter   *writer;
	int			writer_capacity;
	GfRecvBatch *recv;
	WaitEventSet *wes;
	GfStateStore state;			/* templates kept in SQL (state_store.c) */

	WkCounters	c;
	uint64		base[GF_NCOUNTERS]; /* slot values from earlier runs */

	/* The batch being filled. */
	int64		batch_first_ms; /* monotonic ms of its first record, 0 if empty */
	uint64		flush_rows;		/* size of the batch being written, for errcontext */

	/* Rate limits and state for the log. */
	int64		decode_log_ms;
	uint64		decode_errors_unlogged;
	int64		flush_log_ms;
	uint64		flush_errors_unlogged;
	bool		extension_missing_logged;
	int			rcvbuf_applied;
	int64		next_tick_ms;
	bool		release_pending;	/* kept data sets are ready to decode */
} Worker;

static Worker wk;

static void wk_flush(Worker *w);

static int64
wk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64
wk_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64) ts.tv_sec * UINT64CONST(1000000000) + (uint64) ts.tv_nsec;
}

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
	int			i;

	for (i = 0; i < GF_NDECODER_COUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i], w->base[i] + dec[i]);
	for (i = GF_NDECODER_COUNTERS; i < GF_NCOUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i],
							w->base[i] + ad[i - GF_NDECODER_COUNTERS]);
	/* A gauge, not a sum over runs. */
	pg_atomic_write_u64(&w->slot->counters[GF_C_rcvbuf_bytes], w->c.rcvbuf_bytes);
}

/* The sink: decoded records go to the writer; a full batch is written at once. */
static void
wk_sink_flow(void *arg, const gf_flow *f)
{
	Worker	   *w = (Worker *) arg;

	if (gf_writer_add_flow(w->writer, f))
		wk_flush(w);
}

static void
wk_sink_ifcounters(void *arg, const gf_ifcounters *c)
{
	Worker	   *w = (Worker *) arg;

	if (gf_writer_add_ifcounters(w->writer, c))
		wk_flush(w);
}

/* sFlow drop samples: the writer copies the header out of the datagram. */
static void
wk_sink_drop(void *arg, const gf_drop_sample *d)
{
	Worker	   *w = (Worker *) arg;

	if (gf_writer_add_drop(w->writer, d))
		wk_flush(w);
}

/* (Re)create the writer with the current goflow2plus.batch_size. */
static void
wk_make_writer(Worker *w)
{
	if (w->writer_cxt != NULL)
		MemoryContextDelete(w->writer_cxt);
	w->writer_cxt = AllocSetContextCreate(TopMemoryContext,
										  "goflow2plus writer",
										  ALLOCSET_DEFAULT_SIZES);
	w->writer = gf_writer_create(w->writer_cxt, gf_guc_batch_size);
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
			   w->slotno, w->slot->uri.text, (unsigned long long) w->flush_rows,
			   gf_guc_database);
}

/*
 * Write the batch in one transaction.  Any ERROR inside is caught here:
 * the transaction is rolled back, the batch dropped and counted, the
 * error logged at most once per WK_LOG_INTERVAL_MS, and the worker goes
 * on.  FATAL (e.g. SIGTERM seen at CHECK_FOR_INTERRUPTS) still exits.
 */
static void
wk_flush(Worker *w)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	uint64		nrecords = (uint64) gf_writer_count(w->writer);

	w->batch_first_ms = 0;
	if (nrecords == 0)
		return;

	PG_TRY();
	{
		bool		present;
		ErrorContextCallback errcb;

		/* Lets a logged error say which worker and batch it came from. */
		errcb.callback = wk_flush_error_context;
		errcb.arg = w;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		w->flush_rows = nrecords;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "goflow2plus: writing a batch");

		present = OidIsValid(get_extension_oid("goflow2plus", true));
		if (present)
			(void) gf_writer_flush(w->writer);
		else
			gf_writer_reset(w->writer);

		PopActiveSnapshot();
		CommitTransactionCommand();
		error_context_stack = errcb.previous;

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
			w->c.flushes++;
		}
		else
			w->c.dropped_no_extension += nrecords;
	}
	PG_CATCH();
	{
		int64		now = wk_now_ms();
		bool		log_it = (now - w->flush_log_ms >= WK_LOG_INTERVAL_MS);

		MemoryContextSwitchTo(oldcxt);
		if (log_it)
			EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		gf_writer_reset(w->writer);
		w->c.flush_errors++;

		if (!log_it)
			w->flush_errors_unlogged++;
		else
		{
			if (w->flush_errors_unlogged > 0)
				ereport(LOG,
						(errmsg("goflow2plus worker %d: %llu more batches failed in the last %d s without being logged",
								w->slotno,
								(unsigned long long) w->flush_errors_unlogged,
								WK_LOG_INTERVAL_MS / 1000)));
			w->flush_log_ms = now;
			w->flush_errors_unlogged = 0;
		}
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
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

/* Decode one received batch. */
static void
wk_decode_batch(Worker *w, int n)
{
	uint64		now_ns = wk_realtime_ns();
	gf_proto	proto = w->slot->uri.proto;
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
								w->slotno, w->slot->uri.text)));
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
	if (gf_guc_rcvbuf != w->rcvbuf_applied)
	{
		w->c.rcvbuf_bytes = (uint64) gf_udp_set_rcvbuf(w->fd, gf_guc_rcvbuf,
													   w->slot->uri.text);
		w->rcvbuf_applied = gf_guc_rcvbuf;
	}
	if (gf_guc_batch_size != w->writer_capacity)
	{
		wk_flush(w);
		wk_make_writer(w);
	}
}

/*
 * Save templates and sampling rates that changed (NetFlow / flow sockets
 * only).  Not before the extension was seen: without it there is nowhere
 * to save, and trying would cost a transaction every tick.
 */
static void
wk_sync_state(Worker *w)
{
	if (w->slot->uri.proto == GF_PROTO_SFLOW || w->extension_missing_logged)
		return;
	if (!w->state.loaded && w->c.flushes == 0)
		return;
	if (gf_state_pending(&w->state, w->decoder))
		gf_state_sync(&w->state, w->decoder);
}

/*
 * SIGTERM: write what was received, then exit.  The batch holds at most
 * one drain round more than usual (WK_DRAIN_ROUNDS x WK_RECV_BATCH
 * datagrams), so a flood delays the exit by one bounded flush.  Exit
 * status 1, as die() gives: status 0 would unregister the worker, and a
 * worker stopped by pg_terminate_backend must come back after
 * bgw_restart_time (at server shutdown the postmaster restarts nothing).
 */
static void
wk_shutdown(Worker *w)
{
	uint64		pending = (uint64) gf_writer_count(w->writer);

	wk_flush(w);
	wk_sync_state(w);
	wk_publish(w);
	ereport(DEBUG1,
			(errmsg("goflow2plus worker %d: shutting down after writing %llu pending records",
					w->slotno, (unsigned long long) pending)));
	proc_exit(1);
}

static void
wk_on_exit(int code, Datum arg)
{
	GfWorkerSlot *slot = (GfWorkerSlot *) DatumGetPointer(arg);

	pg_atomic_write_u32(&slot->ready, 0);
	pg_atomic_write_u32(&slot->pid, 0);
}

/* Milliseconds the wait may last: until the batch or the tick is due. */
static long
wk_timeout(Worker *w, int64 now)
{
	int64		until = w->next_tick_ms;

	/* Kept data sets whose template came: next slice at once. */
	if (w->release_pending)
		return 0;
	if (w->batch_first_ms != 0)
		until = Min(until, w->batch_first_ms + gf_guc_flush_interval);
	return (long) Max(until - now, 0);
}

void
goflow2plus_worker_main(Datum main_arg)
{
	Worker	   *w = &wk;
	GfShared   *shared = gf_shmem_get();
	int			i;

	memset(w, 0, sizeof(*w));
	w->slotno = DatumGetInt32(main_arg);
	w->fd = -1;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	/* Sets ShutdownRequestPending; the loop writes its batch, then exits. */
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	if (shared == NULL || w->slotno < 0 || w->slotno >= shared->nslots)
		ereport(FATAL,
				(errmsg("goflow2plus worker %d has no shared memory slot", w->slotno)));
	w->slot = &shared->slots[w->slotno];
	for (i = 0; i < GF_NCOUNTERS; i++)
		w->base[i] = pg_atomic_read_u64(&w->slot->counters[i]);
	w->c.worker_starts = 1;
	pg_atomic_write_u32(&w->slot->pid, (uint32) MyProcPid);
	before_shmem_exit(wk_on_exit, PointerGetDatum(w->slot));

	/*
	 * Bind before connecting, so the kernel queues datagrams while the
	 * connection is being set up.
	 */
	w->fd = gf_udp_open(&w->slot->uri, gf_guc_rcvbuf);
	w->rcvbuf_applied = gf_guc_rcvbuf;
	w->c.rcvbuf_bytes = (uint64) gf_udp_set_rcvbuf(w->fd, 0, w->slot->uri.text);

	BackgroundWorkerInitializeConnection(gf_guc_database, NULL, 0);
	pgstat_report_appname("goflow2plus worker");

	/* Libraries (the decoder) are set up here, never in the postmaster. */
	w->decoder = gf_decoder_new(NULL);
	if (w->decoder == NULL)
		ereport(FATAL,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("goflow2plus worker %d: out of memory creating the decoder",
						w->slotno)));
	w->recv = gf_recv_batch_create(TopMemoryContext, WK_RECV_BATCH, WK_RECV_BUFSIZE);
	wk_make_writer(w);
	w->sink.flow = wk_sink_flow;
	w->sink.ifcounters = wk_sink_ifcounters;
	w->sink.drop = wk_sink_drop;
	w->sink.arg = w;

	/*
	 * Templates saved by an earlier run, before saying ready: the first
	 * data set after a restart then finds its template.
	 */
	gf_state_init(&w->state, w->slotno);
	if (w->slot->uri.proto != GF_PROTO_SFLOW)
		gf_state_sync(&w->state, w->decoder);

	w->wes = gf_create_wait_event_set(3);
	AddWaitEventToSet(w->wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(w->wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(w->wes, WL_SOCKET_READABLE, w->fd, NULL, NULL);

	w->next_tick_ms = wk_now_ms() + WK_TICK_MS;
	wk_publish(w);
	pg_atomic_write_u32(&w->slot->ready, 1);
	ereport(LOG,
			(errmsg("goflow2plus worker %d listening on %s (socket %d of %u), writing to database \"%s\"",
					w->slotno, w->slot->uri.text, w->slot->socket_no + 1,
					(unsigned) w->slot->uri.count, gf_guc_database)));

	for (;;)
	{
		WaitEvent	events[3];
		int64		now;

		(void) WaitEventSetWait(w->wes, wk_timeout(w, wk_now_ms()), events,
								lengthof(events), GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
			wk_reload(w);

		/* Level-triggered: trying costs one EAGAIN when nothing waits. */
		wk_drain(w);

		/*
		 * One bounded slice of data sets that waited for a template per
		 * pass, so a flood of released data never keeps the loop from
		 * the socket.
		 */
		w->release_pending = gf_decoder_release(w->decoder, wk_realtime_ns(),
												&w->sink);

		if (ShutdownRequestPending)
			wk_shutdown(w);

		now = wk_now_ms();
		if (w->batch_first_ms != 0 &&
			now - w->batch_first_ms >= gf_guc_flush_interval)
			wk_flush(w);
		if (now >= w->next_tick_ms)
		{
			gf_decoder_expire(w->decoder, wk_realtime_ns());
			wk_sync_state(w);
			w->next_tick_ms = now + WK_TICK_MS;
		}
		wk_publish(w);
	}
}
