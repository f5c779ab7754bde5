/*
 * maintenance.c
 *    The storage settings (partition width, retention, rollups) and the
 *    maintenance background worker that applies them: it creates the
 *    partitions of goflow2plus.flows ahead of time, drops expired ones,
 *    merges and expires the rollup tables, and deletes expired rows of
 *    goflow2plus.interface_counters and goflow2plus.sflow_drops in small
 *    batches (tables of a few rows per interface per minute: not worth
 *    partitions, whose drop needs an ACCESS EXCLUSIVE lock).
 *
 *    The work itself is SQL in the install script (goflow2plus.maintain()
 *    and the _partitions_* / _rollups_maintain functions), so a user or a
 *    test can run it by hand; this process calls each step in a
 *    transaction of its own, so that the ACCESS EXCLUSIVE lock a DROP of a
 *    partition takes on goflow2plus.flows is held only for that drop.
 *
 *    Why a process of its own rather than the context builder: a context
 *    build takes seconds with a million networks, and a drop that waits
 *    for a lock (a user's long query on flows) must not delay a context
 *    change, nor the reverse.  It needs one more max_worker_processes slot
 *    and is registered only when goflow2plus.listen starts workers.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "goflow2plus.h"
#include "maintenance.h"
#include "pg_compat.h"

PGDLLEXPORT void goflow2plus_maintenance_main(Datum main_arg);

int			gf_guc_partition_width = 3600;
int			gf_guc_partition_ahead = 2;
int			gf_guc_retention = 7 * 86400;
int			gf_guc_maintenance_interval = 10;
bool		gf_guc_rollups = true;
int			gf_guc_rollup_groups = GF_ROLLUP_GROUPS_AUTO;

static const struct config_enum_entry gf_rollup_groups_options[] = {
	{"auto", GF_ROLLUP_GROUPS_AUTO, false},
	{"on", GF_ROLLUP_GROUPS_ON, false},
	{"off", GF_ROLLUP_GROUPS_OFF, false},
	{"true", GF_ROLLUP_GROUPS_ON, true},
	{"false", GF_ROLLUP_GROUPS_OFF, true},
	{NULL, 0, false}
};
int			gf_guc_rollup_1m_retention = 7 * 86400;
int			gf_guc_rollup_5m_retention = 90 * 86400;
int			gf_guc_rollup_1h_retention = 365 * 86400;
int			gf_guc_ifcounters_retention = 7 * 86400;
int			gf_guc_drops_retention = 7 * 86400;

/*
 * Expired interface counters and drop samples go this many rows per
 * transaction (a few tens of ms each), and at most MT_EXPIRE_BATCHES
 * batches per table per round: a backlog (a retention just shortened, or
 * turned on over a big table) is worked off over several rounds rather
 * than in one long stretch that would delay the partition work.
 */
#define MT_EXPIRE_ROWS		10000
#define MT_EXPIRE_BATCHES	50

/* Errors of a step are logged at most this often. */
#define MT_LOG_EVERY_MS		60000

static TimestampTz mt_last_log = 0;

void
gf_maintenance_define_gucs(void)
{
	DefineCustomIntVariable("goflow2plus.partition_width",
							"Time range of each partition of goflow2plus.flows.",
							"A change applies from the end of the partitions already made.",
							&gf_guc_partition_width,
							3600, 10, 366 * 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.partition_ahead",
							"Partitions of goflow2plus.flows kept ready beyond the current one.",
							NULL,
							&gf_guc_partition_ahead,
							2, 1, 1000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.retention",
							"Partitions of goflow2plus.flows whose range ended longer ago than this are dropped; 0 keeps them.",
							NULL,
							&gf_guc_retention,
							7 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.maintenance_interval",
							"How often the maintenance worker creates and drops partitions and merges rollups; 0 pauses it.",
							"It runs at least twice per goflow2plus.partition_width.",
							&gf_guc_maintenance_interval,
							10, 0, 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("goflow2plus.rollups",
							 "Whether the writer adds each batch's sums to goflow2plus.flows_1m, flows_5m and flows_1h.",
							 NULL,
							 &gf_guc_rollups,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("goflow2plus.rollup_groups",
							 "Whether the rollups are kept per source and destination network group: on, off, or auto.",
							 "off: src_group and dst_group are NULL in flows_1m, flows_5m and flows_1h, so their rows stay few when goflow2plus.networks names very many networks (with a full Internet table nearly every flow has its own pair of groups, and the rollups would write as many rows as the flows themselves, three times over). auto: on while the context in use has at most 10 000 networks, off above.",
							 &gf_guc_rollup_groups,
							 GF_ROLLUP_GROUPS_AUTO,
							 gf_rollup_groups_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.rollup_1m_retention",
							"Rows of goflow2plus.flows_1m older than this are deleted; 0 keeps them.",
							NULL,
							&gf_guc_rollup_1m_retention,
							7 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.rollup_5m_retention",
							"Rows of goflow2plus.flows_5m older than this are deleted; 0 keeps them.",
							NULL,
							&gf_guc_rollup_5m_retention,
							90 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.rollup_1h_retention",
							"Rows of goflow2plus.flows_1h older than this are deleted; 0 keeps them.",
							NULL,
							&gf_guc_rollup_1h_retention,
							365 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.interface_counters_retention",
							"Rows of goflow2plus.interface_counters older than this are deleted; 0 keeps them.",
							"The maintenance worker deletes them in batches, a transaction each, without blocking the writers.",
							&gf_guc_ifcounters_retention,
							7 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.sflow_drops_retention",
							"Rows of goflow2plus.sflow_drops older than this are deleted; 0 keeps them.",
							"The maintenance worker deletes them in batches, a transaction each, without blocking the writers.",
							&gf_guc_drops_retention,
							7 * 86400, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
}

void
gf_maintenance_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* It creates and drops tables: never on a standby. */
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "goflow2plus");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "goflow2plus_maintenance_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "goflow2plus maintenance");
	snprintf(worker.bgw_type, BGW_MAXLEN, "goflow2plus maintenance");
	RegisterBackgroundWorker(&worker);
}

/*
 * Run one statement in a transaction of its own.  Returns the first
 * column of the first row as text (palloc'd in the caller's context), or
 * NULL for no row, a NULL value, a missing extension or an error (logged
 * at most every MT_LOG_EVERY_MS).  With 'list', every row's first column
 * is appended to it instead.
 */
static char *
mt_run(const char *what, const char *sql, List **list)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *volatile result = NULL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, what);
		if (OidIsValid(get_extension_oid("goflow2plus", true)))
		{
			uint64		i;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			if (SPI_execute(sql, false, 0) < 0)
				elog(ERROR, "%s failed", sql);
			for (i = 0; i < SPI_processed; i++)
			{
				char	   *v = SPI_getvalue(SPI_tuptable->vals[i],
											 SPI_tuptable->tupdesc, 1);
				MemoryContext old = MemoryContextSwitchTo(caller);

				v = v ? pstrdup(v) : NULL;
				if (list != NULL && v != NULL)
					*list = lappend(*list, v);
				else if (i == 0)
					result = v;
				MemoryContextSwitchTo(old);
			}
			SPI_finish();
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		TimestampTz now = GetCurrentTimestamp();

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		if (TimestampDifferenceExceeds(mt_last_log, now, MT_LOG_EVERY_MS))
		{
			mt_last_log = now;
			ereport(LOG,
					(errmsg("goflow2plus maintenance: %s failed: %s", what, edata->message),
					 errdetail("Tried again in %d s; further failures are logged at most once a minute.",
							   gf_guc_maintenance_interval)));
		}
		FreeErrorData(edata);
		result = NULL;
	}
	PG_END_TRY();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * Expired rows of one table (interface_counters or sflow_drops), one
 * batch per transaction, until a batch comes back short or this round's
 * share is done.
 */
static void
mt_expire(const char *table, int retention)
{
	char	   *sql;
	char	   *what;
	int64		total = 0;
	int			i;

	if (retention <= 0)
		return;
	sql = psprintf("SELECT goflow2plus._expire_rows(%s, %d)",
				   quote_literal_cstr(table), MT_EXPIRE_ROWS);
	what = psprintf("goflow2plus: deleting expired rows of %s", table);
	for (i = 0; i < MT_EXPIRE_BATCHES; i++)
	{
		char	   *n;
		int64		got;

		CHECK_FOR_INTERRUPTS();
		n = mt_run(what, sql, NULL);
		got = n != NULL ? strtoll(n, NULL, 10) : 0;
		total += got;
		if (got < MT_EXPIRE_ROWS)
			break;
	}
	if (total > 0)
		elog(DEBUG1, "goflow2plus maintenance: %lld expired rows of %s deleted",
			 (long long) total, table);
}

/*
 * One round: create ahead, drop the expired (each alone), merge rollups,
 * delete expired counters and drop samples.
 */
static void
mt_round(void)
{
	List	   *expired = NIL;
	ListCell   *lc;
	char	   *made;

	made = mt_run("goflow2plus: creating partitions",
				  "SELECT goflow2plus._partitions_create()", NULL);
	if (made != NULL && strcmp(made, "0") != 0)
		elog(DEBUG1, "goflow2plus maintenance: %s partitions created", made);
	(void) mt_run("goflow2plus: listing expired partitions",
				  "SELECT goflow2plus._partitions_expired()::text", &expired);
	foreach(lc, expired)
	{
		char	   *name = (char *) lfirst(lc);
		char	   *sql = psprintf("SELECT goflow2plus._partition_drop(%s::regclass)",
								   quote_literal_cstr(name));
		TimestampTz t0 = GetCurrentTimestamp();
		char	   *done = mt_run("goflow2plus: dropping an expired partition", sql, NULL);
		long		secs;
		int			usecs;

		TimestampDifference(t0, GetCurrentTimestamp(), &secs, &usecs);
		if (done != NULL && strcmp(done, "t") == 0)
			ereport(LOG,
					(errmsg("goflow2plus maintenance: dropped expired partition %s in %.1f ms",
							name, secs * 1000.0 + usecs / 1000.0)));
		else
			elog(DEBUG1, "goflow2plus maintenance: %s busy, dropped later", name);
	}
	/*
	 * Rows of recent ranges: BRIN only helps once a range is summarized.
	 * Partitions of the last day only (older ones were summarized when
	 * they stopped growing); the lock it takes (SHARE UPDATE EXCLUSIVE on
	 * the partition) waits for an autovacuum there, so not for long.
	 */
	(void) mt_run("goflow2plus: summarizing BRIN ranges",
				  "SET LOCAL lock_timeout = '1s'; "
				  "SELECT sum(brin_summarize_new_values(i.indexrelid)) "
				  "FROM goflow2plus.partitions() p JOIN pg_catalog.pg_index i ON i.indrelid = p.partition "
				  "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
				  "JOIN pg_catalog.pg_am a ON a.oid = c.relam AND a.amname = 'brin' "
				  "WHERE p.is_default OR p.range_end > now() - interval '1 day'", NULL);
	(void) mt_run("goflow2plus: merging rollups",
				  "SELECT goflow2plus._rollups_maintain()", NULL);
	mt_expire("interface_counters", gf_guc_ifcounters_retention);
	mt_expire("sflow_drops", gf_guc_drops_retention);
}

void
goflow2plus_maintenance_main(Datum main_arg)
{
	MemoryContext round_ctx;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(gf_guc_database, NULL, 0);
	pgstat_report_appname("goflow2plus maintenance");
	round_ctx = AllocSetContextCreate(TopMemoryContext, "goflow2plus maintenance round",
									  ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		long		wait_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (gf_guc_maintenance_interval > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(round_ctx);

			mt_round();
			MemoryContextSwitchTo(old);
			MemoryContextReset(round_ctx);
			/* At least twice per partition, so one is always ready ahead. */
			wait_ms = Min((long) gf_guc_maintenance_interval,
						  (long) gf_guc_partition_width / 2) * 1000L;
		}
		else
			wait_ms = 1000;		/* paused: look at the setting again */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(wait_ms, 1000L), GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
	}
}
