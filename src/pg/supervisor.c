/*
 * supervisor.c
 *    The listener supervisor: one background worker, started with the
 *    server, that keeps one receiving worker (worker.c) running per socket
 *    of goflow2plus.listen.
 *
 *    At start and at each reload it reads the setting, compares it with
 *    the shared slots in use (gf_shmem.h) and
 *      - leaves alone the sockets still listed (same scheme, address,
 *        port and socket number; a changed ?count= keeps the first
 *        sockets), so their workers never stop and lose nothing;
 *      - takes a slot and starts a dynamic background worker for each new
 *        socket;
 *      - stops the worker of each socket no longer listed (SIGTERM: it
 *        writes its batch, then exits) and frees its slot once it is gone.
 *
 *    The receiving workers are registered with BGW_NEVER_RESTART and
 *    bgw_notify_pid = this process: the postmaster wakes us when one
 *    starts or stops, and restarting is decided here.  A worker that
 *    exits while its socket is still listed (pg_terminate_backend, a port
 *    already in use, a missing database) is started again after 1 s, then
 *    after a delay doubling up to 30 s while it keeps failing; its slot
 *    shows "failed" and why (goflow2plus.listeners()); a reload tries it
 *    again at once.  A failing socket
 *    thus costs a log line every 30 s, never a loop of restarts, and a
 *    worker that ends with exit status 1 never restarts the cluster.
 *
 *    The supervisor holds no database connection and no socket.  If it is
 *    itself terminated, the postmaster starts it again after 1 s; the
 *    workers it started keep running, and the new supervisor adopts them
 *    by the pids in their slots.
 */
#include "postgres.h"

#include <signal.h>
#include <time.h>

#include "gf_clock.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "gf_shmem.h"
#include "goflow2plus.h"
#include "listen_uri.h"
#include "pg_compat.h"

/* Longest sleep: slots are looked at least this often. */
#define SV_POLL_MS			1000
/* Delay before starting a worker that exited again: doubles up to MAX. */
#define SV_BACKOFF_MIN_MS	1000
#define SV_BACKOFF_MAX_MS	30000
/* A worker ready this long counts as healthy: its next failure waits MIN. */
#define SV_HEALTHY_MS		30000

/* What the supervisor knows of one slot; private to this process. */
typedef struct SvSlot
{
	bool		launched;		/* started or adopted, not yet seen gone */
	bool		stopping;		/* no longer listed: waiting for its exit */
	BackgroundWorkerHandle *handle; /* NULL for an adopted worker */
	int64		launched_ms;	/* when it was started or adopted */
	int64		start_at_ms;	/* when to start it (when not launched) */
	int			backoff_ms;		/* delay used after its last failure */
} SvSlot;

static SvSlot *sv;
static int	sv_nslots;

/*
 * The postmaster sends SIGUSR1 when a worker we registered starts or
 * stops (bgw_notify_pid); wake the loop so the slot is looked at now.
 */
static void
sv_sigusr1(SIGNAL_ARGS)
{
	int			save_errno = errno;

	SetLatch(MyLatch);
	errno = save_errno;
}

#define sv_now_ms() gf_monotonic_ms()

/* The pid in the slot, if that process is still there. */
static pid_t
sv_slot_pid(GfWorkerSlot *slot)
{
	pid_t		pid = (pid_t) pg_atomic_read_u32(&slot->pid);

	if (pid != 0 && kill(pid, 0) == 0)
		return pid;
	return 0;
}

/*
 * Is the slot's worker registered, starting or running?  A worker we
 * started is followed through its handle.  When that one is gone but the
 * slot names a live pid, a worker of an earlier supervisor holds the slot
 * (ours then exited at once, finding it taken): follow that one instead.
 */
static bool
sv_alive(int s)
{
	GfWorkerSlot *slot = &gf_shmem_get()->slots[s];
	SvSlot	   *v = &sv[s];

	if (!v->launched)
		return false;
	if (v->handle != NULL)
	{
		pid_t		pid;
		BgwHandleStatus st = GetBackgroundWorkerPid(v->handle, &pid);

		if (st == BGWH_STARTED || st == BGWH_NOT_YET_STARTED)
			return true;
		pfree(v->handle);
		v->handle = NULL;
	}
	return sv_slot_pid(slot) != 0;
}

/* Register the slot's worker; on failure, say why and try again later. */
static void
sv_start(int s, int64 now)
{
	GfWorkerSlot *slot = &gf_shmem_get()->slots[s];
	SvSlot	   *v = &sv[s];
	GfSlotMeta	meta;
	BackgroundWorker bgw;
	BackgroundWorkerHandle *handle;
	MemoryContext old;
	bool		ok;

	if (!gf_slot_read(slot, &meta))
		return;
	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* It writes tables, so it cannot run on a standby. */
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* Restarts are ours to decide (see the file header). */
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bgw.bgw_library_name, BGW_MAXLEN, "goflow2plus");
	/* A nats:// entry pulls from JetStream instead of a socket. */
	snprintf(bgw.bgw_function_name, BGW_MAXLEN, "%s",
			 meta.uri.kind == GF_LISTEN_NATS ? "goflow2plus_source_main" :
			 "goflow2plus_worker_main");
	snprintf(bgw.bgw_name, BGW_MAXLEN, "goflow2plus worker %d %s",
			 s, meta.uri.text);
	snprintf(bgw.bgw_type, BGW_MAXLEN, "goflow2plus worker");
	bgw.bgw_main_arg = Int32GetDatum(s);
	/* The worker checks that the slot still serves what it was started for. */
	memcpy(bgw.bgw_extra, &meta.generation, sizeof(meta.generation));
	bgw.bgw_notify_pid = MyProcPid;

	/* Before the worker can exist: it sets RUNNING itself once ready. */
	gf_slot_set_state(slot, GF_LS_STARTING, NULL);
	old = MemoryContextSwitchTo(TopMemoryContext);
	ok = RegisterDynamicBackgroundWorker(&bgw, &handle);
	MemoryContextSwitchTo(old);
	if (ok)
	{
		v->launched = true;
		v->handle = handle;
		v->launched_ms = now;
		return;
	}

	/* All of max_worker_processes are taken (parallel query, others). */
	v->backoff_ms = v->backoff_ms == 0 ? SV_BACKOFF_MIN_MS :
		Min(v->backoff_ms * 2, SV_BACKOFF_MAX_MS);
	v->start_at_ms = now + v->backoff_ms;
	{
		char		err[GF_SLOT_ERROR_LEN];

		snprintf(err, sizeof(err),
				 "no background worker slot free (max_worker_processes = %d)",
				 max_worker_processes);
		gf_slot_set_state(slot, GF_LS_FAILED, err);
	}
	ereport(WARNING,
			(errmsg("goflow2plus: could not start the worker of listener \"%s\" (worker %d): no background worker slot free",
					meta.uri.text, s),
			 errdetail("Trying again in %d s.", v->backoff_ms / 1000),
			 errhint("Raise max_worker_processes (%d): it must leave room for every socket of goflow2plus.listen, the context builder, the listener supervisor and parallel query.",
					 max_worker_processes)));
}

/* Ask the slot's worker to write what it holds and exit. */
static void
sv_stop(int s)
{
	GfWorkerSlot *slot = &gf_shmem_get()->slots[s];
	SvSlot	   *v = &sv[s];

	v->stopping = true;
	gf_slot_set_state(slot, GF_LS_STOPPING, NULL);
	if (v->handle != NULL)
		TerminateBackgroundWorker(v->handle);
	else
	{
		pid_t		pid = sv_slot_pid(slot);

		/* Adopted: what pg_terminate_backend would send. */
		if (pid != 0)
			(void) kill(pid, SIGTERM);
	}
}

/*
 * Match the slots in use with goflow2plus.listen: keep what is still
 * listed, stop what is not, take slots for the new sockets.
 */
static void
sv_apply(void)
{
	GfShared   *shared = gf_shmem_get();
	gf_listen_list want;
	char		err[512];
	bool		have[GF_LISTEN_MAX_ENTRIES][GF_LISTEN_MAX_COUNT];
	int			s;
	int			e;

	/* The check hook accepted the value; this only guards against a bug. */
	if (gf_listen_parse(gf_guc_listen, &want, err, sizeof(err)) != 0)
	{
		ereport(WARNING,
				(errmsg("goflow2plus: ignoring goflow2plus.listen: %s", err)));
		return;
	}
	memset(have, 0, sizeof(have));

	for (s = 0; s < shared->nslots; s++)
	{
		GfSlotMeta	meta;
		int			match = -1;

		if (!gf_slot_read(&shared->slots[s], &meta) || sv[s].stopping)
			continue;
		for (e = 0; e < want.n && match < 0; e++)
			if (gf_listen_same_address(&want.uri[e], &meta.uri) &&
				meta.socket_no < (int) want.uri[e].count &&
				!have[e][meta.socket_no])
				match = e;
		if (match < 0)
		{
			ereport(LOG,
					(errmsg("goflow2plus: stopping listener \"%s\" (worker %d, socket %d): no longer in goflow2plus.listen",
							meta.uri.text, s, meta.socket_no + 1)));
			sv_stop(s);
			continue;
		}
		have[match][meta.socket_no] = true;
		/* A reload is often the operator's "fixed it": try a failed one now. */
		if (!sv[s].launched)
			sv[s].start_at_ms = 0;
		/* Only ?count= changed: the socket stays, its entry text follows. */
		if (strcmp(meta.uri.text, want.uri[match].text) != 0)
		{
			GfWorkerSlot *slot = &shared->slots[s];

			SpinLockAcquire(&slot->meta_lock);
			slot->uri = want.uri[match];
			SpinLockRelease(&slot->meta_lock);
		}
	}

	for (e = 0; e < want.n; e++)
	{
		uint32		k;

		for (k = 0; k < want.uri[e].count; k++)
		{
			if (have[e][k])
				continue;
			s = gf_slot_alloc(&want.uri[e], (int) k);
			if (s < 0)
			{
				/* The check hook bounds the sockets; slots still stopping fill the rest. */
				ereport(WARNING,
						(errmsg("goflow2plus: no free listener slot for \"%s\" (socket %u); trying again when a stopping worker has exited",
								want.uri[e].text, (unsigned) k + 1),
						 errhint("goflow2plus.max_listeners (%d) bounds the sockets open at once.",
								 gf_guc_max_listeners)));
				continue;
			}
			memset(&sv[s], 0, sizeof(sv[s]));
			ereport(LOG,
					(errmsg("goflow2plus: starting listener \"%s\" (worker %d, socket %u of %u)",
							want.uri[e].text, s, (unsigned) k + 1,
							(unsigned) want.uri[e].count)));
		}
	}
}

/*
 * Follow each slot: free those whose worker has stopped for good, start
 * again those whose worker is gone while still listed, start new ones.
 * Returns the ms until the next start is due (at most SV_POLL_MS).
 */
static long
sv_poll(bool *retry_apply)
{
	GfShared   *shared = gf_shmem_get();
	int64		now = sv_now_ms();
	int64		next = now + SV_POLL_MS;
	int			s;

	for (s = 0; s < shared->nslots; s++)
	{
		GfWorkerSlot *slot = &shared->slots[s];
		SvSlot	   *v = &sv[s];
		GfSlotMeta	meta;
		bool		alive;

		if (!gf_slot_read(slot, &meta))
			continue;
		alive = sv_alive(s);
		if (v->stopping)
		{
			if (alive)
				continue;
			ereport(LOG,
					(errmsg("goflow2plus: listener \"%s\" (worker %d, socket %d) stopped",
							meta.uri.text, s, meta.socket_no + 1)));
			gf_slot_free(s);
			memset(v, 0, sizeof(*v));
			/* A socket that found no free slot may have one now. */
			*retry_apply = true;
			continue;
		}
		if (alive)
		{
			if (meta.state == GF_LS_RUNNING && v->backoff_ms != 0 &&
				now - v->launched_ms >= SV_HEALTHY_MS)
				v->backoff_ms = 0;
			continue;
		}
		if (v->launched)
		{
			const char *why = meta.last_error[0] != '\0' ? meta.last_error :
				"the worker exited (pg_terminate_backend, or see the server log)";

			v->launched = false;
			v->backoff_ms = v->backoff_ms == 0 ? SV_BACKOFF_MIN_MS :
				Min(v->backoff_ms * 2, SV_BACKOFF_MAX_MS);
			v->start_at_ms = now + v->backoff_ms;
			gf_slot_set_state(slot, GF_LS_FAILED, why);
			ereport(WARNING,
					(errmsg("goflow2plus: the worker of listener \"%s\" (worker %d) exited: %s",
							meta.uri.text, s, why),
					 errdetail("Starting it again in %d s.", v->backoff_ms / 1000)));
		}
		if (now >= v->start_at_ms)
			sv_start(s, now);
		if (!v->launched)
			next = Min(next, v->start_at_ms);
	}
	return (long) Max(next - now, 0);
}

void
goflow2plus_supervisor_main(Datum main_arg)
{
	GfShared   *shared = gf_shmem_get();
	int64		now;
	int			s;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGUSR1, sv_sigusr1);
	BackgroundWorkerUnblockSignals();

	if (shared == NULL)
		ereport(FATAL,
				(errmsg("goflow2plus supervisor has no shared memory")));
	sv_nslots = shared->nslots;
	sv = MemoryContextAllocZero(TopMemoryContext, sizeof(SvSlot) * Max(sv_nslots, 1));

	/*
	 * Workers an earlier supervisor started keep their slots; the others
	 * (all of them at server start) are started by the first poll.
	 */
	now = sv_now_ms();
	for (s = 0; s < sv_nslots; s++)
	{
		GfSlotMeta	meta;

		if (gf_slot_read(&shared->slots[s], &meta) &&
			sv_slot_pid(&shared->slots[s]) != 0)
		{
			sv[s].launched = true;
			sv[s].launched_ms = now;
		}
	}
	/* The setting may have changed while no supervisor ran. */
	sv_apply();
	ereport(LOG,
			(errmsg("goflow2plus supervisor started: goflow2plus.listen = \"%s\"",
					gf_guc_listen)));

	for (;;)
	{
		bool		retry_apply = false;
		long		timeout = sv_poll(&retry_apply);

		if (retry_apply)
		{
			sv_apply();
			timeout = 0;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 timeout, GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		/*
		 * Exit status 1 so the postmaster starts us again after
		 * pg_terminate_backend; the workers keep running meanwhile.
		 */
		if (ShutdownRequestPending)
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			sv_apply();
		}
	}
}
