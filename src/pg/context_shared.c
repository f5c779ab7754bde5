/*
 * context_shared.c
 *    Shared state of context enrichment and the SQL functions around it:
 *    the trigger that announces a change, context_wait() and
 *    context_status().
 *
 *    A change is announced only once it is committed and visible: the
 *    statement trigger merely notes that this transaction changed a
 *    context table, and a transaction callback bumps the shared counter
 *    and wakes the builder at XACT_EVENT_COMMIT, which PostgreSQL runs
 *    after the commit became visible to new snapshots.  The builder reads
 *    the counter before it takes its snapshot, so the snapshot it
 *    publishes covers every change counted up to that value.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "context_shared.h"
#include "goflow2plus.h"
#include "pg_compat.h"

PG_FUNCTION_INFO_V1(goflow2plus__context_changed);
PG_FUNCTION_INFO_V1(goflow2plus__networks_log);
PG_FUNCTION_INFO_V1(goflow2plus_context_wait);
PG_FUNCTION_INFO_V1(goflow2plus_context_status);

static GfContextShared *gf_ctx_shared = NULL;

/* This backend's transaction changed a context table. */
static bool gf_ctx_changed_in_xact = false;
static bool gf_ctx_callback_registered = false;

Size
gf_context_shmem_size(void)
{
	return MAXALIGN(sizeof(GfContextShared));
}

void
gf_context_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gf_ctx_shared = ShmemInitStruct("goflow2plus context",
									gf_context_shmem_size(), &found);
	if (!found)
	{
		memset(gf_ctx_shared, 0, sizeof(GfContextShared));
		pg_atomic_init_u64(&gf_ctx_shared->requested, 1);
		SpinLockInit(&gf_ctx_shared->lock);
		gf_ctx_shared->handle = DSM_HANDLE_INVALID;
		gf_ctx_shared->overlay_handle = DSM_HANDLE_INVALID;
	}
	LWLockRelease(AddinShmemInitLock);
}

GfContextShared *
gf_context_shared(void)
{
	return gf_ctx_shared;
}

void
gf_context_register_builder(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* It only reads; it can serve a standby's decode() as well. */
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "goflow2plus");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "goflow2plus_context_builder_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "goflow2plus context builder");
	snprintf(worker.bgw_type, BGW_MAXLEN, "goflow2plus context builder");
	RegisterBackgroundWorker(&worker);
}

/* At commit: count the change and wake the builder. */
static void
gf_ctx_xact_callback(XactEvent event, void *arg)
{
	Latch	   *latch;

	if (!gf_ctx_changed_in_xact)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			gf_ctx_changed_in_xact = false;
			if (gf_ctx_shared == NULL)
				return;
			pg_atomic_fetch_add_u64(&gf_ctx_shared->requested, 1);
			SpinLockAcquire(&gf_ctx_shared->lock);
			latch = gf_ctx_shared->builder_latch;
			SpinLockRelease(&gf_ctx_shared->lock);
			if (latch)
				SetLatch(latch);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			gf_ctx_changed_in_xact = false;
			break;
		default:
			break;
	}
}

/* AFTER ... FOR EACH STATEMENT on the four context tables. */
Datum
goflow2plus__context_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("goflow2plus._context_changed() must be called as a trigger")));
	if (!gf_ctx_callback_registered)
	{
		RegisterXactCallback(gf_ctx_xact_callback, NULL);
		gf_ctx_callback_registered = true;
	}
	gf_ctx_changed_in_xact = true;
	return PointerGetDatum(NULL);
}

/*
 * More rows than this in one statement: the change log gets one
 * "everything" row (cidr NULL) instead of the keys.
 */
#define GF_CTX_LOG_MAX_ROWS 50000

/* Append the keys of a transition table (NULL: the mark) to the log. */
static void
gf_ctx_log_keys(Relation log, Tuplestorestate *ts, TupleDesc src, AttrNumber cidr_att,
				AttrNumber exporter_att)
{
	TupleTableSlot *slot;
	Datum		values[2] = {0, 0};
	bool		nulls[2] = {true, true};

	if (ts == NULL || tuplestore_tuple_count(ts) > GF_CTX_LOG_MAX_ROWS)
	{
		simple_heap_insert(log, heap_form_tuple(RelationGetDescr(log), values, nulls));
		return;
	}
	slot = MakeSingleTupleTableSlot(src, &TTSOpsMinimalTuple);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		values[0] = slot_getattr(slot, cidr_att, &nulls[0]);
		values[1] = slot_getattr(slot, exporter_att, &nulls[1]);
		simple_heap_insert(log, heap_form_tuple(RelationGetDescr(log), values, nulls));
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * AFTER ... FOR EACH STATEMENT on networks, with transition tables: the
 * changed keys (cidr, exporter) go to goflow2plus._network_changes, in
 * this transaction (an abort leaves nothing), so that the builder can
 * publish a small change as an overlay (context_builder.c).  Written below
 * the executor, like the flows writer's heap path: changing networks needs
 * no privilege on the log, and nothing runs with its owner's rights.
 */
Datum
goflow2plus__networks_log(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Oid			nsp;
	Oid			log_oid;
	Relation	log;
	TupleDesc	src;
	AttrNumber	cidr_att;
	AttrNumber	exporter_att;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("goflow2plus._networks_log() must be called as a statement trigger")));
	/*
	 * Only the builder's database has anyone to read and empty the log;
	 * elsewhere it would only grow.
	 */
	if (gf_guc_database == NULL ||
		strcmp(get_database_name(MyDatabaseId), gf_guc_database) != 0)
		return PointerGetDatum(NULL);
	nsp = get_namespace_oid("goflow2plus", false);
	log_oid = get_relname_relid("_network_changes", nsp);
	if (!OidIsValid(log_oid))
		return PointerGetDatum(NULL);	/* no log: every build is a full one */
	log = table_open(log_oid, RowExclusiveLock);
	src = RelationGetDescr(td->tg_relation);
	cidr_att = get_attnum(RelationGetRelid(td->tg_relation), "cidr");
	exporter_att = get_attnum(RelationGetRelid(td->tg_relation), "exporter");
	if (RelationGetDescr(log)->natts != 2 || cidr_att == InvalidAttrNumber ||
		exporter_att == InvalidAttrNumber || TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		gf_ctx_log_keys(log, NULL, src, cidr_att, exporter_att);
	else
	{
		if (td->tg_newtable != NULL)
			gf_ctx_log_keys(log, td->tg_newtable, src, cidr_att, exporter_att);
		if (td->tg_oldtable != NULL)
			gf_ctx_log_keys(log, td->tg_oldtable, src, cidr_att, exporter_att);
	}
	table_close(log, RowExclusiveLock);
	return PointerGetDatum(NULL);
}

/* Wait until the published snapshot covers every change committed so far. */
Datum
goflow2plus_context_wait(PG_FUNCTION_ARGS)
{
	int32		timeout_ms = PG_GETARG_INT32(0);
	uint64		target;
	TimestampTz deadline;

	if (gf_ctx_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus is not loaded"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));
	target = pg_atomic_read_u64(&gf_ctx_shared->requested);
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), Max(timeout_ms, 0));
	for (;;)
	{
		uint64		covers;

		SpinLockAcquire(&gf_ctx_shared->lock);
		covers = gf_ctx_shared->covers;
		SpinLockRelease(&gf_ctx_shared->lock);
		if (covers >= target)
			PG_RETURN_BOOL(true);
		if (GetCurrentTimestamp() >= deadline)
			PG_RETURN_BOOL(false);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

Datum
goflow2plus_context_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[14];
	bool		nulls[14];
	GfContextShared copy;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (gf_ctx_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus is not loaded"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));
	SpinLockAcquire(&gf_ctx_shared->lock);
	memcpy(&copy, gf_ctx_shared, sizeof(copy));
	SpinLockRelease(&gf_ctx_shared->lock);

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int64GetDatum((int64) copy.generation);
	values[1] = Int64GetDatum((int64) pg_atomic_read_u64(&gf_ctx_shared->requested));
	values[2] = Int64GetDatum(copy.networks);
	values[3] = Int64GetDatum(copy.devices);
	values[4] = Int64GetDatum(copy.interfaces);
	values[5] = Int64GetDatum(copy.rates);
	values[6] = Int64GetDatum((int64) copy.bytes);
	values[7] = Float8GetDatum(copy.build_ms);
	values[8] = TimestampTzGetDatum(copy.built_at);
	nulls[8] = copy.generation == 0;
	values[9] = CStringGetTextDatum(copy.last_error);
	nulls[9] = copy.last_error[0] == '\0';
	values[10] = Int64GetDatum((int64) copy.full_builds);
	values[11] = Int64GetDatum((int64) copy.overlay_builds);
	values[12] = Int64GetDatum(copy.overlay_networks);
	values[13] = Int64GetDatum(copy.stale);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
