/*
 * source_worker.c
 *    A nats:// listen entry's background worker: it pulls GoFlow2 "bin"
 *    messages (each one or more length-delimited FlowMessages) from a
 *    durable JetStream pull consumer, reads them back into flow records
 *    (flow_pb_decode.h) and writes them to goflow2plus.flows with the
 *    same writer as the UDP workers (flow_writer.c), which enriches them
 *    at flush with this cluster's context and GeoIP, as received flows.
 *
 *    Delivery is at least once.  The messages of a batch are held,
 *    unacknowledged, until the transaction that wrote their flows has
 *    committed, and only then acknowledged.  If the worker dies first,
 *    the server delivers them again after the consumer's ack wait, to
 *    this worker or to another sharing the consumer (other workers of
 *    ?count=N, other PostgreSQL servers): nothing acknowledged is ever
 *    missing from a table.  Duplicates are bounded by one batch per
 *    death: only a worker killed between its commit and its acks (or
 *    whose acks the connection lost) leaves committed flows unacknowledged,
 *    and a batch is at most goflow2plus.batch_size flows plus one
 *    message's (nats_batch on the edge).  A SIGTERM (pg_terminate_backend,
 *    a fast shutdown) lets the worker commit, acknowledge and flush its
 *    batch first, so it costs no duplicate.
 *
 *    Unlike a UDP worker it needs no spool: while a batch cannot be
 *    written it simply stops fetching, and the stream keeps the rest.
 *    The held messages are marked "in progress" meanwhile, so the server
 *    does not hand them to another worker.
 *
 *    Loop: fetch (natsSubscription_Fetch, waiting at most until the batch
 *    is due or the tick), decode, write when the batch is full or
 *    goflow2plus.flush_interval old, acknowledge; SIGTERM and SIGHUP are
 *    seen between fetches.  nats.c is used from this thread only (see
 *    nats_sub.h).  A bad setting (server unreachable, stream missing)
 *    never ends the worker: it is logged (at most every 10 s while the
 *    reason stays the same) and tried again every few seconds, so there
 *    is no restart loop.
 */
#include "postgres.h"

#include <time.h>

#include "gf_clock.h"
#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "batch_txn.h"
#include "flow_pb_decode.h"
#include "flow_writer.h"
#include "geoip_guc.h"
#include "gf_shmem.h"
#include "goflow2plus.h"
#include "nats_sub.h"
#include "pg_compat.h"
#include "sinks.h"

/* Messages per fetch at most (each may hold many flows). */
#define SW_FETCH_MAX		256
/* Held messages at most before the batch is written whatever its size. */
#define SW_HELD_MAX			4096
#define SW_TICK_MS			1000
#define SW_LOG_INTERVAL_MS	10000
/* Between attempts to connect and subscribe: grows from MIN to MAX. */
#define SW_SETUP_MIN_MS		1000
#define SW_SETUP_MAX_MS		5000
#define SW_BACKOFF_MIN_MS	50
#define SW_BACKOFF_MAX_MS	5000
#define SW_MAX_ATTEMPTS		3
/* Consumer settings when the worker creates it. */
#define SW_ACK_WAIT_MS		30000
#define SW_MAX_ACK_PENDING	100000
/* While a failed batch waits, its messages' ack wait is renewed this often. */
#define SW_PROGRESS_MS		10000
/* Messages of a missing extension come back after this. */
#define SW_NAK_DELAY_MS		5000

typedef struct SwCounters
{
#define SW_COUNTER_FIELD(name, desc) uint64 name;
	GF_ADAPTER_COUNTER_LIST(SW_COUNTER_FIELD)
#undef SW_COUNTER_FIELD
} SwCounters;

typedef struct SourceWorker
{
	int			slotno;
	GfWorkerSlot *slot;
	GfNatsSource *src;
	GfWriter   *writer;
	int			writer_capacity;
	MemoryContext loop_cxt;
	WaitEventSet *wes;

	gf_counters dc;				/* messages (packets), malformed, flows */
	SwCounters	c;
	uint64		base[GF_NCOUNTERS];

	bool		subscribed;
	int64		next_setup_ms;
	int			setup_delay_ms;
	char		setup_error[512];	/* last one logged */
	int64		setup_log_ms;
	bool		ever_subscribed;

	int64		batch_first_ms; /* first flow of the batch, 0 if empty */
	int			decoded_upto;	/* held messages already decoded */
	double		flows_per_msg;	/* running estimate, for the fetch size */
	uint64		flush_rows;

	bool		retry_pending;
	int64		retry_at_ms;
	int			backoff_ms;
	int			attempts;
	int64		progress_ms;	/* last in-progress mark */
	int64		pause_until_ms; /* no fetch before (extension missing) */

	bool		extension_missing_logged;
	int64		flush_log_ms;
	int64		decode_log_ms;
	uint64		decode_unlogged;
	int64		fetch_log_ms;
	int64		next_tick_ms;
} SourceWorker;

static SourceWorker sw;

#define sw_now_ms() gf_monotonic_ms()

#define sw_realtime_ns() gf_realtime_ns()

/* Counters into the slot, on top of what earlier runs left there. */
static void
sw_publish(SourceWorker *w)
{
	const uint64 *dec = (const uint64 *) &w->dc;
	const uint64 *ad = (const uint64 *) &w->c;
	int			i;

	w->c.writer_nomem_dropped = gf_writer_dropped(w->writer);
	for (i = 0; i < GF_NDECODER_COUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i], w->base[i] + dec[i]);
	for (i = GF_NDECODER_COUNTERS; i < GF_NCOUNTERS; i++)
		pg_atomic_write_u64(&w->slot->counters[i],
							w->base[i] + ad[i - GF_NDECODER_COUNTERS]);
	pg_atomic_write_u64(&w->slot->counters[GF_C_spool_records],
						w->retry_pending ? (uint64) gf_writer_count(w->writer) : 0);
}

/* ---- JetStream -------------------------------------------------------- */

static void
sw_open_source(SourceWorker *w)
{
	const gf_listen_uri *uri = &w->slot->uri;
	GfNatsConfig conn;
	GfNatsSourceConfig cfg;
	char		url[GF_LISTEN_HOST_MAX + 24];
	char		name[128];
	char		err[512];

	gf_listen_nats_url(uri, url, sizeof(url));
	memset(&conn, 0, sizeof(conn));
	conn.servers = url[0] ? url : gf_guc_nats_servers;
	snprintf(name, sizeof(name), "goflow2plus source %d (%s/%s)",
			 w->slotno, uri->stream, uri->consumer);
	conn.name = name;
	conn.msgid_prefix = "";
	conn.stream = uri->stream;
	conn.stream_subject = "";
	conn.user = gf_guc_nats_user;
	conn.password = gf_guc_nats_password;
	conn.token = gf_guc_nats_token;
	conn.creds_file = gf_guc_nats_creds;
	conn.nkey = gf_guc_nats_nkey;
	conn.nkey_seed_file = gf_guc_nats_nkey_seed;
	conn.tls_ca = gf_guc_nats_tls_ca;
	conn.tls_cert = gf_guc_nats_tls_cert;
	conn.tls_key = gf_guc_nats_tls_key;

	memset(&cfg, 0, sizeof(cfg));
	cfg.conn = &conn;
	cfg.stream = uri->stream;
	cfg.consumer = uri->consumer;
	cfg.filter_subject = uri->subject;
	cfg.ack_wait_ms = SW_ACK_WAIT_MS;
	cfg.max_ack_pending = SW_MAX_ACK_PENDING;

	w->src = gf_nsrc_create(&cfg, err, sizeof(err));
	if (w->src == NULL)
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus source %d (%s): NATS settings refused: %s",
						w->slotno, uri->text, err),
				 errhint("Fix goflow2plus.nats_servers or the nats_ credentials and restart the server; the worker stays idle until then.")));
}

/*
 * Connect and subscribe when due.  A failure is logged when its reason
 * changes and otherwise at most every SW_LOG_INTERVAL_MS.
 */
static void
sw_setup(SourceWorker *w, int64 now)
{
	char		err[512];
	bool		created = false;
	char		url[256];

	if (w->src == NULL || w->subscribed || now < w->next_setup_ms)
		return;
	if (gf_nsrc_setup(w->src, &created, err, sizeof(err)) != 0)
	{
		w->c.source_setup_errors++;
		if (strcmp(err, w->setup_error) != 0 ||
			now - w->setup_log_ms >= SW_LOG_INTERVAL_MS)
		{
			ereport(WARNING,
					(errmsg("goflow2plus source %d (%s): %s",
							w->slotno, w->slot->uri.text, err),
					 errdetail("Trying again every %d s; nothing is fetched meanwhile.",
							   SW_SETUP_MAX_MS / 1000)));
			snprintf(w->setup_error, sizeof(w->setup_error), "%s", err);
			w->setup_log_ms = now;
		}
		w->setup_delay_ms = Min(Max(w->setup_delay_ms * 2, SW_SETUP_MIN_MS),
								SW_SETUP_MAX_MS);
		w->next_setup_ms = now + w->setup_delay_ms;
		return;
	}
	w->subscribed = true;
	w->setup_delay_ms = 0;
	w->setup_error[0] = '\0';
	gf_nsrc_url(w->src, url, sizeof(url));
	ereport(LOG,
			(errmsg("goflow2plus source %d: pulling from JetStream stream \"%s\", consumer \"%s\"%s at %s, writing to database \"%s\"",
					w->slotno, w->slot->uri.stream, w->slot->uri.consumer,
					created ? " (created now)" : "", url, gf_guc_database)));
	if (!w->ever_subscribed)
	{
		w->ever_subscribed = true;
		gf_slot_set_running(w->slot);
	}
}

/* A message that did not read as flows: counted, logged rate-limited. */
static void
sw_bad_message(SourceWorker *w, size_t len, size_t at, const char *why)
{
	int64		now = sw_now_ms();

	w->dc.packets_malformed++;
	if (now - w->decode_log_ms < SW_LOG_INTERVAL_MS)
	{
		w->decode_unlogged++;
		return;
	}
	ereport(LOG,
			(errmsg("goflow2plus source %d: a %zu-byte message from stream \"%s\" is not GoFlow2 bin (length-delimited FlowMessages): %s at byte %zu",
					w->slotno, len, w->slot->uri.stream, why, at),
			 errdetail("The flows before that point are kept; %llu more such messages in the last %d s were not logged.",
					   (unsigned long long) w->decode_unlogged, SW_LOG_INTERVAL_MS / 1000),
			 errhint("The edge collectors must publish with goflow2plus.format = 'bin'.")));
	w->decode_log_ms = now;
	w->decode_unlogged = 0;
	w->c.decode_errors_logged++;
}

/* Decode the held messages not decoded yet into the writer. */
static void
sw_decode_new(SourceWorker *w)
{
	int			held = gf_nsrc_held(w->src);
	uint64		now_ns = sw_realtime_ns();
	uint64		flows_before = w->dc.flows;
	int			nmsg = held - w->decoded_upto;
	gf_flow		f;

	for (; w->decoded_upto < held; w->decoded_upto++)
	{
		size_t		len;
		const uint8_t *data = gf_nsrc_data(w->src, w->decoded_upto, &len);
		size_t		off = 0;
		bool		bad = false;

		w->dc.packets++;
		w->c.bytes_received += len;
		for (;;)
		{
			const char *why = NULL;
			size_t		at = off;
			gf_pbd_status st = gf_flow_pb_next(data, len, &off, now_ns, &f, &why);

			if (st == GF_PBD_END)
				break;
			if (st == GF_PBD_BAD_FRAMING || st == GF_PBD_BAD_MESSAGE)
			{
				if (!bad)
					sw_bad_message(w, len, at, why ? why : "unreadable");
				bad = true;
				if (st == GF_PBD_BAD_FRAMING)
					break;
				continue;
			}
			w->dc.flows++;
			(void) gf_writer_add_flow(w->writer, &f);
		}
	}
	if (nmsg > 0)
	{
		double		per = (double) (w->dc.flows - flows_before) / nmsg;

		w->flows_per_msg = w->flows_per_msg > 0 ?
			0.75 * w->flows_per_msg + 0.25 * per : per;
	}
	if (w->batch_first_ms == 0 && gf_writer_count(w->writer) > 0)
		w->batch_first_ms = sw_now_ms();
}

/* Acknowledge (or return) the held messages; nothing is held afterwards. */
static void
sw_settle(SourceWorker *w, bool written, bool terminate)
{
	int			n = gf_nsrc_held(w->src);
	int			refused;

	if (n == 0)
		return;
	if (written)
	{
		refused = gf_nsrc_ack(w->src);
		w->c.source_acked += (uint64) (n - refused);
	}
	else
	{
		refused = terminate ? gf_nsrc_term(w->src) : gf_nsrc_nak(w->src, SW_NAK_DELAY_MS);
		w->c.source_returned += (uint64) n;
	}
	w->c.source_ack_errors += (uint64) refused;
	w->decoded_upto = 0;
}

/* ---- writing ------------------------------------------------------------ */

static void
sw_flush_error_context(void *arg)
{
	SourceWorker *w = (SourceWorker *) arg;

	errcontext("goflow2plus source %d (%s) writing a batch of %llu flows to database \"%s\"",
			   w->slotno, w->slot->uri.text, (unsigned long long) w->flush_rows,
			   gf_guc_database);
}

static void
sw_note_extension(SourceWorker *w, bool present)
{
	if (!present && !w->extension_missing_logged)
		ereport(LOG,
				(errmsg("goflow2plus source %d: extension \"goflow2plus\" does not exist in database \"%s\"; messages stay in the stream until CREATE EXTENSION goflow2plus",
						w->slotno, gf_guc_database)));
	else if (present && w->extension_missing_logged)
		ereport(LOG,
				(errmsg("goflow2plus source %d: extension \"goflow2plus\" found; writing flows",
						w->slotno)));
	w->extension_missing_logged = !present;
}

/*
 * Write the batch in one transaction, then settle its messages: acked
 * after the commit; handed back when the extension is missing; kept for
 * a retry (marked in progress) when the write failed and may pass;
 * terminated with the batch dropped when it failed SW_MAX_ATTEMPTS times
 * with an error that retrying cannot cure.  Returns true when nothing is
 * held afterwards.
 */
static bool
sw_flush(SourceWorker *w)
{
	uint64		nrecords = (uint64) gf_writer_count(w->writer);
	ErrorData  *edata = NULL;
	bool		present = false;
	int64		now;

	w->batch_first_ms = 0;
	if (nrecords == 0)
	{
		/* Messages that held no flow (all malformed): done with them. */
		sw_settle(w, true, false);
		return true;
	}

	{
		ErrorContextCallback errcb;
		GfBatchResult res;

		errcb.callback = sw_flush_error_context;
		errcb.arg = w;
		w->flush_rows = nrecords;
		res = gf_batch_write(w->writer, "goflow2plus: writing a batch from JetStream",
							 &errcb, NULL, NULL);
		present = res.present;
		edata = res.edata;
	}

	now = sw_now_ms();
	if (edata == NULL)
	{
		sw_note_extension(w, present);
		if (present)
		{
			const GfWriterCounts *wr = gf_writer_written(w->writer);

			w->c.rows_inserted += wr->flows;
			w->c.flushes++;
			/* Committed: now, and only now, the messages are done. */
			sw_settle(w, true, false);
		}
		else
		{
			w->c.dropped_no_extension += nrecords;
			sw_settle(w, false, false);
			w->pause_until_ms = now + SW_NAK_DELAY_MS;
		}
		w->retry_pending = false;
		w->attempts = 0;
		w->backoff_ms = SW_BACKOFF_MIN_MS;
	}
	else
	{
		bool		transient = gf_write_error_is_transient(edata->sqlerrcode);
		bool		log_it = now - w->flush_log_ms >= SW_LOG_INTERVAL_MS;

		w->attempts++;
		if (!transient && w->attempts >= SW_MAX_ATTEMPTS)
		{
			ereport(LOG,
					(errmsg("goflow2plus source %d: dropped a batch of %llu flows after %d failed attempts: %s",
							w->slotno, (unsigned long long) nrecords, w->attempts,
							edata->message),
					 errdetail("SQLSTATE %s; its messages are terminated (the server will not deliver them again); counted in flush_errors.",
							   unpack_sql_state(edata->sqlerrcode))));
			gf_writer_reset(w->writer);
			sw_settle(w, false, true);
			w->c.flush_errors++;
			w->c.flush_error_records += nrecords;
			w->retry_pending = false;
			w->attempts = 0;
			w->backoff_ms = SW_BACKOFF_MIN_MS;
		}
		else
		{
			gf_writer_keep_for_retry(w->writer);
			gf_nsrc_in_progress(w->src);
			w->progress_ms = now;
			w->c.flush_retries++;
			w->retry_pending = true;
			w->retry_at_ms = now + w->backoff_ms;
			if (log_it)
				ereport(LOG,
						(errmsg("goflow2plus source %d: could not write a batch of %llu flows to database \"%s\": %s",
								w->slotno, (unsigned long long) nrecords,
								gf_guc_database, edata->message),
						 errdetail("SQLSTATE %s. Its messages stay unacknowledged and nothing more is fetched; the batch is retried in %d ms.",
								   unpack_sql_state(edata->sqlerrcode), w->backoff_ms)));
			w->backoff_ms = Min(w->backoff_ms * 2, SW_BACKOFF_MAX_MS);
		}
		if (log_it)
			w->flush_log_ms = now;
		FreeErrorData(edata);
	}
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return !w->retry_pending;
}

/* ---- the loop ---------------------------------------------------------- */

/* Fetch what fits in the batch, waiting at most until it or the tick is due. */
static void
sw_fetch(SourceWorker *w, int64 now)
{
	int64		until = w->next_tick_ms;
	int			room = w->writer_capacity - gf_writer_count(w->writer);
	int			want;
	int			got;
	uint64		redelivered = 0;
	char		err[512];

	if (w->batch_first_ms != 0)
		until = Min(until, w->batch_first_ms + gf_guc_flush_interval);
	if (room < 1)
		return;
	/*
	 * Messages for the room left, from the flows per message seen so far.
	 * The first fetch asks for one message only: a backlog of large
	 * messages would otherwise make the first batch (and what a crash
	 * during it leaves to be delivered twice) up to SW_FETCH_MAX messages
	 * instead of about batch_size flows.
	 */
	if (w->dc.packets == 0)
		want = 1;
	else
		want = w->flows_per_msg > 1 ? (int) (room / w->flows_per_msg) + 1 : room;
	want = Max(1, Min(want, SW_FETCH_MAX));
	want = Min(want, SW_HELD_MAX - gf_nsrc_held(w->src));
	if (want < 1)
		return;
	got = gf_nsrc_fetch(w->src, want, (int) Max(until - now, 1),
						&redelivered, err, sizeof(err));
	if (got < 0)
	{
		w->c.recv_errors++;
		if (now - w->fetch_log_ms >= SW_LOG_INTERVAL_MS)
		{
			ereport(LOG,
					(errmsg("goflow2plus source %d (%s): %s",
							w->slotno, w->slot->uri.text, err),
					 errdetail("The batch in hand is written as usual; fetching resumes when the server answers.")));
			w->fetch_log_ms = now;
		}
		/* Not a busy loop while the server is away. */
		w->subscribed = false;
		w->next_setup_ms = now + SW_SETUP_MIN_MS;
		return;
	}
	w->c.source_fetched += (uint64) got;
	w->c.source_redelivered += redelivered;
	if (got > 0)
		sw_decode_new(w);
}

/*
 * SIGTERM: write the batch in hand (one attempt) and acknowledge it,
 * flush the acks to the server, and exit.  Messages of a batch that could
 * not be written stay unacknowledged and are delivered again.  Exit
 * status 1 so the postmaster restarts the worker after a
 * pg_terminate_backend (see worker.c).
 */
static void
sw_shutdown(SourceWorker *w)
{
	if (w->src != NULL && gf_nsrc_held(w->src) > 0)
		(void) sw_flush(w);
	if (w->src != NULL)
		gf_nsrc_close(w->src);
	w->src = NULL;
	sw_publish(w);
	proc_exit(1);
}

/*
 * Any other way out (postmaster death, a FATAL error): close the
 * connection and let nats.c's threads finish before exit() runs, rather
 * than leave them reading a socket and filling subscriptions while the
 * process tears down (exit handlers of the libraries nats.c uses, TLS
 * state).  Plain C, no PostgreSQL call: safe at any point of the exit.
 */
static void
sw_close_nats(int code, Datum arg)
{
	SourceWorker *w = (SourceWorker *) DatumGetPointer(arg);

	if (w->src != NULL)
		gf_nsrc_close(w->src);
	w->src = NULL;
}

static void
sw_on_exit(int code, Datum arg)
{
	GfWorkerSlot *slot = (GfWorkerSlot *) DatumGetPointer(arg);

	pg_atomic_write_u32(&slot->ready, 0);
	pg_atomic_write_u32(&slot->pid, 0);
}

static void
sw_reload(SourceWorker *w)
{
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	gf_geoip_refresh();
}

/* Sleep on the latch (nothing to fetch from now). */
static void
sw_sleep(SourceWorker *w, int64 until)
{
	WaitEvent	ev[2];
	int64		now = sw_now_ms();

	(void) WaitEventSetWait(w->wes, (long) Max(Min(until, w->next_tick_ms) - now, 0),
							ev, lengthof(ev), GF_WAIT_EVENT_MAIN);
	ResetLatch(MyLatch);
}

void
goflow2plus_source_main(Datum main_arg)
{
	SourceWorker *w = &sw;
	GfSlotMeta	meta;
	int			i;

	memset(w, 0, sizeof(*w));
	w->slotno = DatumGetInt32(main_arg);

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	w->slot = gf_slot_claim(w->slotno, &meta);
	if (w->slot == NULL)
	{
		/* Removed, or given to another listener, before we started. */
		ereport(LOG,
				(errmsg("goflow2plus source %d: slot no longer assigned to this worker; exiting",
						w->slotno)));
		proc_exit(0);
	}
	/* Counted now, as the socket workers do (listeners() shows starts). */
	pg_atomic_fetch_add_u64(&w->slot->counters[GF_C_worker_starts], 1);
	for (i = 0; i < GF_NCOUNTERS; i++)
		w->base[i] = pg_atomic_read_u64(&w->slot->counters[i]);
	before_shmem_exit(sw_on_exit, PointerGetDatum(w->slot));

	BackgroundWorkerInitializeConnection(gf_guc_database, NULL, 0);
	{
		char		appname[NAMEDATALEN];

		/* pg_stat_activity tells the sources apart by slot. */
		snprintf(appname, sizeof(appname), "goflow2plus source %d", w->slotno);
		pgstat_report_appname(appname);
	}

	w->writer = gf_writer_create(TopMemoryContext, gf_guc_batch_size);
	w->writer_capacity = gf_guc_batch_size;
	w->backoff_ms = SW_BACKOFF_MIN_MS;
	w->wes = gf_create_wait_event_set(2);
	AddWaitEventToSet(w->wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(w->wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	gf_geoip_refresh();

	/* nats.c and its threads start here, never in the postmaster. */
	sw_open_source(w);
	before_shmem_exit(sw_close_nats, PointerGetDatum(w));
	w->next_tick_ms = sw_now_ms() + SW_TICK_MS;
	sw_publish(w);

	w->loop_cxt = AllocSetContextCreate(TopMemoryContext,
										"goflow2plus source pass",
										ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		int64		now;

		MemoryContextSwitchTo(w->loop_cxt);
		MemoryContextReset(w->loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
			sw_reload(w);
		if (ShutdownRequestPending)
			sw_shutdown(w);
		/* fetch blocks without the latch: postmaster death is polled. */
		if (!PostmasterIsAlive())
			proc_exit(1);

		now = sw_now_ms();
		if (w->src == NULL)
			sw_sleep(w, now + SW_TICK_MS);
		else if (w->retry_pending)
		{
			if (now >= w->retry_at_ms)
				(void) sw_flush(w);
			else
				sw_sleep(w, w->retry_at_ms);
			if (w->retry_pending && sw_now_ms() - w->progress_ms >= SW_PROGRESS_MS)
			{
				gf_nsrc_in_progress(w->src);
				w->progress_ms = sw_now_ms();
			}
		}
		else
		{
			if (!w->subscribed)
				sw_setup(w, now);
			if (w->subscribed && now >= w->pause_until_ms)
				sw_fetch(w, now);
			else
			{
				/* Until we may fetch again, or the batch in hand is due. */
				int64		until = w->subscribed ? w->pause_until_ms : w->next_setup_ms;

				if (w->batch_first_ms != 0)
					until = Min(until, w->batch_first_ms + gf_guc_flush_interval);
				sw_sleep(w, until);
			}

			now = sw_now_ms();
			if (gf_writer_count(w->writer) >= w->writer_capacity ||
				gf_nsrc_held(w->src) >= SW_HELD_MAX ||
				(gf_nsrc_held(w->src) > 0 &&
				 (w->batch_first_ms == 0 ||
				  now - w->batch_first_ms >= gf_guc_flush_interval)))
				(void) sw_flush(w);
			/* A new batch_size once the batch in hand is written. */
			if (!w->retry_pending && gf_writer_count(w->writer) == 0 &&
				gf_guc_batch_size != w->writer_capacity)
			{
				gf_writer_destroy(w->writer);
				w->writer = gf_writer_create(TopMemoryContext, gf_guc_batch_size);
				w->writer_capacity = gf_guc_batch_size;
			}
		}

		now = sw_now_ms();
		if (now >= w->next_tick_ms)
		{
			gf_geoip_refresh();
			w->next_tick_ms = now + SW_TICK_MS;
		}
		sw_publish(w);
	}
}
