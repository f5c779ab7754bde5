/*
 * goflow2plus.c
 *    Module entry: _PG_init defines the settings, and, when the library is
 *    in shared_preload_libraries, asks for shared memory (one slot per
 *    socket, up to goflow2plus.max_listeners) and registers the listener
 *    supervisor (supervisor.c), which starts one background worker per UDP
 *    socket named by goflow2plus.listen and follows the setting at reload.
 *
 *    Nothing here opens a socket or initialises a library: the postmaster
 *    must stay small and safe, so all of that happens in the workers
 *    (worker.c).  Loaded later by a backend (for decode() alone), the
 *    module defines only the reloadable settings and starts nothing.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/guc.h"

#include "context_load_fn.h"
#include "context_shared.h"
#include "mapping_fn.h"
#include "geoip_guc.h"
#include "gf_shmem.h"
#include "goflow2plus.h"
#include "listen_uri.h"
#include "metrics_http.h"
#include "maintenance.h"
#include "sinks.h"
#include "template_sync.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

char	   *gf_guc_listen = NULL;
int			gf_guc_max_listeners = 16;
char	   *gf_guc_database = NULL;
int			gf_guc_rcvbuf = 32 * 1024 * 1024;
int			gf_guc_batch_size = 5000;
int			gf_guc_flush_interval = 200;
double		gf_guc_context_build_cpu = 1.0;
double		gf_guc_context_build_yield = 0.25;
bool		gf_guc_context_keep_build_memory = false;
int			gf_guc_spool_size = 512 * 1024;
char	   *gf_guc_allowed_exporters = NULL;
int			gf_guc_max_exporters = 4096;
int			gf_guc_max_templates = 65536;
int			gf_guc_max_templates_per_exporter = 1024;
int			gf_guc_pending_per_exporter = 1024;
int			gf_guc_exporter_idle_timeout = 3600;
int			gf_guc_bulk_insert_ring = GF_BULK_RING_BATCH;

static const struct config_enum_entry gf_bulk_ring_options[] = {
	{"off", GF_BULK_RING_OFF, false},
	{"batch", GF_BULK_RING_BATCH, false},
	{"kept", GF_BULK_RING_KEPT, false},
	{NULL, 0, false}
};
const gf_exporter_acl *gf_exporter_acl_current = NULL;

/* What an empty allowlist parses to, before the assign hook first runs. */
static const gf_exporter_acl gf_exporter_acl_empty;

/* The listen setting as parsed in _PG_init. */
static gf_listen_list gf_listen;

/*
 * When the postmaster applies postgresql.conf's value of a custom setting
 * it only WARNs if the check hook refuses it and keeps the default.  A
 * collector that silently listens on the default ports is worse than one
 * that does not start, so the check hook remembers the refusal here and
 * _PG_init turns it into a startup failure.
 */
static bool gf_listen_rejected = false;
static char gf_listen_error[512];

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static bool
gf_check_listen(char **newval, void **extra, GucSource source)
{
	gf_listen_list parsed;

	if (gf_listen_parse(*newval, &parsed, gf_listen_error,
						sizeof(gf_listen_error)) == 0)
	{
		/* Shared memory has a slot for max_listeners sockets. */
		if ((int) parsed.sockets <= gf_guc_max_listeners)
			return true;
		snprintf(gf_listen_error, sizeof(gf_listen_error),
				 "the listen entries ask for %u sockets; goflow2plus.max_listeners allows %d",
				 (unsigned) parsed.sockets, gf_guc_max_listeners);
		GUC_check_errhint("Raise goflow2plus.max_listeners (a restart) or lower the ?count= values.");
	}
	GUC_check_errdetail("%s.", gf_listen_error);
	if (process_shared_preload_libraries_in_progress)
		gf_listen_rejected = true;
	return false;
}

/*
 * goflow2plus.allowed_exporters: parse in the check hook, so a bad list is
 * refused at reload with the faulty entry named, and hand the parsed form
 * to the assign hook as the setting's "extra" (malloc'd, as guc.c wants).
 */
static bool
gf_check_allowed_exporters(char **newval, void **extra, GucSource source)
{
	gf_exporter_acl *acl = (gf_exporter_acl *) malloc(sizeof(gf_exporter_acl));
	char		err[512];

	if (acl == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	if (gf_exporter_acl_parse(*newval, acl, err, sizeof(err)) != 0)
	{
		free(acl);
		GUC_check_errdetail("%s.", err);
		GUC_check_errhint("Use comma-separated addresses or CIDR blocks, e.g. '192.0.2.0/24, 2001:db8::/32, 198.51.100.7'; an empty string accepts every exporter.");
		return false;
	}
	*extra = acl;
	return true;
}

static void
gf_assign_allowed_exporters(const char *newval, void *extra)
{
	gf_exporter_acl_current = extra ? (const gf_exporter_acl *) extra : &gf_exporter_acl_empty;
}

/*
 * Processes besides the socket workers: the context builder and the
 * listener supervisor always, the maintenance worker where sockets are
 * open, the metrics worker when goflow2plus.metrics_listen is set.
 */
static int
gf_extra_workers(void)
{
	/* the context builder and the listener supervisor always */
	return 2 + (gf_listen.sockets > 0 ? 1 : 0) + (gf_metrics_enabled() ? 1 : 0);
}

/* The same workers by name, for the message that refuses a start. */
static const char *
gf_extra_workers_names(void)
{
	if (gf_listen.sockets > 0)
		return gf_metrics_enabled() ?
			"context builder, listener supervisor, maintenance, metrics" :
			"context builder, listener supervisor, maintenance";
	return gf_metrics_enabled() ? "context builder, listener supervisor, metrics" :
		"context builder, listener supervisor";
}

static void
gf_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(gf_shmem_size(gf_guc_max_listeners));
	RequestAddinShmemSpace(gf_context_shmem_size());
	RequestAddinShmemSpace(gf_mapping_shmem_size());
}

static void
gf_shmem_startup_hook(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	/*
	 * After a crash the segment is made again: the value the postmaster
	 * holds now (a reload may have changed it), not the one at start.
	 */
	if (gf_listen_parse(gf_guc_listen, &gf_listen, gf_listen_error,
						sizeof(gf_listen_error)) == 0)
		gf_shmem_startup(gf_guc_max_listeners, &gf_listen);
	else
		gf_shmem_startup(gf_guc_max_listeners, NULL);
	gf_context_shmem_startup();
	gf_mapping_shmem_startup();
}

/*
 * The listener supervisor: it starts the workers (one per socket, from
 * the slots filled in shmem_startup_hook) and follows goflow2plus.listen
 * at each reload.  Restarted 1 s after it exits; the workers outlive it.
 */
static void
gf_register_supervisor(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	/* Its workers write tables: nothing to start on a standby. */
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "goflow2plus");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "goflow2plus_supervisor_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "goflow2plus supervisor");
	snprintf(worker.bgw_type, BGW_MAXLEN, "goflow2plus supervisor");
	RegisterBackgroundWorker(&worker);
	if (gf_listen.sockets > 0)
		ereport(LOG,
				(errmsg("goflow2plus: the supervisor will start %u background workers for \"%s\"",
						(unsigned) gf_listen.sockets, gf_guc_listen),
				 errhint("Each socket is one worker; max_worker_processes (%d) must leave room for them and for parallel query.",
						 max_worker_processes)));
}

void
_PG_init(void)
{
	DefineCustomIntVariable("goflow2plus.batch_size",
							"Records written per insert transaction.",
							"A batch is written when it is full or goflow2plus.flush_interval after its first record, whichever comes first.",
							&gf_guc_batch_size,
							5000, 1, GF_BATCH_SIZE_MAX,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.flush_interval",
							"Longest time a received record waits before it is written.",
							NULL,
							&gf_guc_flush_interval,
							200, 1, GF_FLUSH_INTERVAL_MAX,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomRealVariable("goflow2plus.context_build_cpu",
							 "Share of one core the context builder may use while it reads the networks for a full build.",
							 "Below 1 the builder sleeps between slices of 10 000 rows so that, on a machine with few cores, a rebuild of a large table leaves the receiving workers their CPU; the build then takes longer. Small changes (overlays) are not slowed.",
							 &gf_guc_context_build_cpu,
							 1.0, 0.05, 1.0,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomRealVariable("goflow2plus.context_build_yield",
							 "Receive-queue fill above which a full context build pauses, as a share of the socket buffer.",
							 "While any worker's socket queue holds more than this share of its buffer (stats() rcvq_bytes / rcvbuf_bytes), the builder sleeps in 5 ms steps between slices of its work, at most 30 s per build, so a rebuild of a large table never takes the CPU a worker needs to keep its socket from overflowing. 0 turns it off.",
							 &gf_guc_context_build_yield,
							 0.25, 0.0, 1.0,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("goflow2plus.context_keep_build_memory",
							 "Whether the context builder keeps its build memory between full builds.",
							 "On: the memory of a full build (about 5 times the snapshot) stays in the builder process, so the next build does not wait for the kernel to clear fresh pages; off: it is given back after each build.",
							 &gf_guc_context_keep_build_memory,
							 false,
							 PGC_POSTMASTER, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.spool_size",
							"Memory each worker may use to keep records while batches cannot be written.",
							"While a write fails (a lock, a read-only database, a full disk, a missing table) records wait in this spool and are retried; what does not fit is dropped and counted in spool_dropped. 0 keeps nothing beyond the failed batch.",
							&gf_guc_spool_size,
							512 * 1024, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.allowed_exporters",
							   "Exporters whose datagrams are decoded, as comma-separated IPv4/IPv6 addresses or CIDR blocks; empty accepts all.",
							   "Datagrams from other sources are dropped before decoding and counted in exporters_denied.",
							   &gf_guc_allowed_exporters,
							   "",
							   PGC_SIGHUP, 0,
							   gf_check_allowed_exporters, gf_assign_allowed_exporters, NULL);
	DefineCustomIntVariable("goflow2plus.rcvbuf",
							"Receive buffer (SO_RCVBUF) asked for each UDP socket; 0 keeps the kernel default.",
							"The kernel caps it at net.core.rmem_max; a smaller grant is logged.",
							&gf_guc_rcvbuf,
							32 * 1024 * 1024, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("goflow2plus.bulk_insert_ring",
							 "Buffer ring of the writer's heap multi-inserts: batch (a new ring per batch, as COPY), off (none) or kept (one ring per worker).",
							 "Measured the same with batch and off; kept makes the worker write every page it filled itself, so the background writer cannot take those writes (test/bench/README.md, \"Insert path\").",
							 &gf_guc_bulk_insert_ring,
							 GF_BULK_RING_BATCH, gf_bulk_ring_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	/* GoFlow2+'s -context.config (context_load_fn.c). */
	gf_context_config_define_guc();
	/* GoFlow2+'s enricher -db.asn / -db.country (geoip_guc.c). */
	gf_geoip_define_gucs();
	/* Partitions, retention and rollups (maintenance.c). */
	gf_maintenance_define_gucs();

	/*
	 * Settings that only the postmaster may define, and everything that
	 * starts workers, exist only when the library is preloaded.
	 */
	if (!process_shared_preload_libraries_in_progress)
	{
		MarkGUCPrefixReserved("goflow2plus");
		return;
	}

	/* Before listen: its check hook reads this bound. */
	DefineCustomIntVariable("goflow2plus.max_listeners",
							"Sockets goflow2plus.listen may name at once (one worker and one shared slot each).",
							"Shared memory holds this many worker slots; a listen value asking for more is refused.",
							&gf_guc_max_listeners,
							16, 1, GF_LISTEN_MAX_SOCKETS,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.listen",
							   "UDP sockets to receive flows on, as GoFlow2 listen URIs.",
							   "Comma-separated netflow://, sflow:// or flow:// URIs with host:port and an optional ?count=N (N sockets with SO_REUSEPORT, one worker each). An empty host listens on all addresses, IPv6 and IPv4. Empty string: no listener. A reload starts and stops workers to match; sockets still listed keep running.",
							   &gf_guc_listen,
							   "sflow://:6343,netflow://:2055",
							   PGC_SIGHUP, 0,
							   gf_check_listen, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.database",
							   "Database the workers connect to; CREATE EXTENSION goflow2plus there.",
							   NULL,
							   &gf_guc_database,
							   "postgres",
							   PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);

	/*
	 * Bounds on each worker's NetFlow v9 / IPFIX state (src/core/include/decode.h,
	 * gf_limits).  Read when a worker starts, so a change needs a restart.
	 */
	DefineCustomIntVariable("goflow2plus.max_exporters",
							"Exporters whose NetFlow v9 / IPFIX state (templates, sampling rates, early data) a worker keeps at once.",
							"State of further exporters is refused and counted; goflow2plus.exporters() shows who holds what.",
							&gf_guc_max_exporters,
							4096, 1, 1 << 20,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.max_templates",
							"Templates a worker keeps over all exporters.",
							NULL,
							&gf_guc_max_templates,
							65536, 1, 1 << 22,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.max_templates_per_exporter",
							"Templates a worker keeps for one exporter (all its observation domains).",
							"Templates over it are refused and counted on the exporter (templates_refused in goflow2plus.exporters()).",
							&gf_guc_max_templates_per_exporter,
							1024, 1, 65536,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.pending_per_exporter",
							"Data sets that arrive before their template: how much a worker keeps per exporter until the template comes.",
							NULL,
							&gf_guc_pending_per_exporter,
							1024, 0, 64 * 1024,
							PGC_POSTMASTER, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.exporter_idle_timeout",
							"An exporter silent this long loses its templates, sampling rates and rows in goflow2plus.exporters(), in the workers and in goflow2plus.templates / goflow2plus.sampling.",
							NULL,
							&gf_guc_exporter_idle_timeout,
							3600, 1, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	/* goflow2plus.transport, format, transport_file, nats_* (sinks.c). */
	gf_sinks_define_gucs();
	/* goflow2plus.metrics_listen (metrics_http.c). */
	gf_metrics_define_guc();
	/* goflow2plus.nats_templates_bucket (template_sync.c). */
	gf_template_sync_define_guc();
	MarkGUCPrefixReserved("goflow2plus");

	if (gf_listen_rejected)
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus: invalid value for parameter \"goflow2plus.listen\""),
				 errdetail("%s.", gf_listen_error),
				 errhint("Example: goflow2plus.listen = 'sflow://:6343?count=2,netflow://127.0.0.1:2055,flow://[::1]:9995'")));

	/* The check hook accepted the value, so this cannot fail. */
	if (gf_listen_parse(gf_guc_listen, &gf_listen, gf_listen_error,
						sizeof(gf_listen_error)) != 0)
		elog(FATAL, "goflow2plus: listen setting changed under us: %s", gf_listen_error);

	/*
	 * Past max_worker_processes the supervisor could not start every
	 * worker, leaving sockets nobody opens; at startup say so now (after
	 * a reload the supervisor warns and retries, see supervisor.c).
	 */
	if ((int) gf_listen.sockets + gf_extra_workers() > max_worker_processes)
		ereport(FATAL,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("goflow2plus: goflow2plus.listen asks for %u sockets, which with goflow2plus's other workers (%s) is more than max_worker_processes (%d)",
						(unsigned) gf_listen.sockets, gf_extra_workers_names(),
						max_worker_processes),
				 errhint("Raise max_worker_processes to at least %u plus what parallel query and other extensions need, or lower the ?count= values.",
						 (unsigned) gf_listen.sockets + gf_extra_workers())));

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = gf_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = gf_shmem_startup_hook;

	gf_register_supervisor();
	/* One builder serves every worker and backend (context_builder.c). */
	gf_context_register_builder();
	/* GET /metrics, when goflow2plus.metrics_listen is set (metrics_http.c). */
	gf_metrics_register_worker();
	/* Partitions and rollups need upkeep only where workers write. */
	if (gf_listen.sockets > 0)
		gf_maintenance_register();
}
