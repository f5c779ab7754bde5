/*
 * traffic_stats.c
 *    Per-source counts and the batch write histogram of a worker
 *    (traffic_stats.h).  The worker keeps its rows in process memory,
 *    touched once per datagram without a lock, and copies them into its
 *    shared slot under the slot's spinlock when they changed, once per
 *    loop pass; readers (metrics.c) copy them out under the same lock.
 */
#include "postgres.h"

#include "traffic_stats.h"

/* Where each attributed counter sits in gf_counters. */
static const uint16 ts_offset[GF_NREMOTE_DIFF] = {
#define GF_RD_OFFSET(name) (uint16) offsetof(gf_counters, name),
	GF_REMOTE_DIFF_LIST(GF_RD_OFFSET)
#undef GF_RD_OFFSET
};

static GfRemoteStats ts_rows[GF_SLOT_REMOTES];
static GfRemoteStats ts_other;
static int	ts_n;
static int	ts_last;			/* row of the previous datagram */
static bool ts_dirty;
/* The source whose datagrams are being decoded, and the counters then. */
static GfRemoteStats *ts_cur;
static uint64 ts_before[GF_NREMOTE_DIFF];

#define TS_COUNTER(dc, i) (*(const uint64 *) ((const char *) (dc) + ts_offset[i]))

void
gf_traffic_slot_init(GfTrafficSlot *t)
{
	int			i;

	SpinLockInit(&t->lock);
	t->n = 0;
	memset(t->rows, 0, sizeof(t->rows));
	memset(&t->other, 0, sizeof(t->other));
	for (i = 0; i < GF_FLUSH_NBUCKETS; i++)
		pg_atomic_init_u64(&t->flush_bucket[i], 0);
	pg_atomic_init_u64(&t->flush_us_sum, 0);
}

void
gf_traffic_slot_reset(GfTrafficSlot *t)
{
	int			i;

	SpinLockAcquire(&t->lock);
	t->n = 0;
	memset(&t->other, 0, sizeof(t->other));
	SpinLockRelease(&t->lock);
	for (i = 0; i < GF_FLUSH_NBUCKETS; i++)
		pg_atomic_write_u64(&t->flush_bucket[i], 0);
	pg_atomic_write_u64(&t->flush_us_sum, 0);
}

void
gf_traffic_init(GfTrafficSlot *t)
{
	SpinLockAcquire(&t->lock);
	ts_n = Min(Max(t->n, 0), GF_SLOT_REMOTES);
	memcpy(ts_rows, t->rows, sizeof(GfRemoteStats) * ts_n);
	ts_other = t->other;
	SpinLockRelease(&t->lock);
	ts_last = 0;
	ts_cur = NULL;
	ts_dirty = false;
}

static bool
ts_same(const gf_addr *a, const gf_addr *b)
{
	return a->family == b->family &&
		memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

/*
 * The row of a source: the previous datagram's (an exporter sends runs),
 * else a scan of at most GF_SLOT_REMOTES rows, else a new row while there
 * is room, else "other".
 */
static GfRemoteStats *
ts_row(const gf_addr *a)
{
	int			i;

	if (ts_last < ts_n && ts_same(&ts_rows[ts_last].addr, a))
		return &ts_rows[ts_last];
	for (i = 0; i < ts_n; i++)
		if (ts_same(&ts_rows[i].addr, a))
		{
			ts_last = i;
			return &ts_rows[i];
		}
	if (ts_n < GF_SLOT_REMOTES && a->family != 0)
	{
		memset(&ts_rows[ts_n], 0, sizeof(GfRemoteStats));
		ts_rows[ts_n].addr = *a;
		ts_last = ts_n;
		return &ts_rows[ts_n++];
	}
	return &ts_other;
}

void
gf_traffic_settle(const gf_counters *dc)
{
	int			i;

	if (ts_cur == NULL)
		return;
	for (i = 0; i < GF_NREMOTE_DIFF; i++)
		ts_cur->d[i] += TS_COUNTER(dc, i) - ts_before[i];
	ts_cur = NULL;
}

void
gf_traffic_begin(const gf_addr *a, size_t len, const gf_counters *dc)
{
	GfRemoteStats *row = ts_row(a);
	int			i;

	if (row != ts_cur)
	{
		gf_traffic_settle(dc);
		for (i = 0; i < GF_NREMOTE_DIFF; i++)
			ts_before[i] = TS_COUNTER(dc, i);
		ts_cur = row;
	}
	row->datagrams++;
	row->bytes += len;
	ts_dirty = true;
}

void
gf_traffic_denied(size_t len)
{
	ts_other.datagrams++;
	ts_other.bytes += len;
	ts_dirty = true;
}

void
gf_traffic_publish(GfTrafficSlot *t)
{
	if (!ts_dirty)
		return;
	SpinLockAcquire(&t->lock);
	memcpy(t->rows, ts_rows, sizeof(GfRemoteStats) * ts_n);
	t->other = ts_other;
	t->n = ts_n;
	SpinLockRelease(&t->lock);
	ts_dirty = false;
}

void
gf_traffic_flush_time(GfTrafficSlot *t, uint64 us)
{
	static const double bounds[] = GF_FLUSH_BUCKETS_S;
	int			b;

	StaticAssertStmt(lengthof(bounds) + 1 == GF_FLUSH_NBUCKETS,
					 "GF_FLUSH_NBUCKETS must be the bounds plus +Inf");
	for (b = 0; b < (int) lengthof(bounds); b++)
		if ((double) us <= bounds[b] * 1e6)
			break;
	/* The worker is the only writer: no locked instruction needed. */
	pg_atomic_write_u64(&t->flush_bucket[b],
						pg_atomic_read_u64(&t->flush_bucket[b]) + 1);
	pg_atomic_write_u64(&t->flush_us_sum,
						pg_atomic_read_u64(&t->flush_us_sum) + us);
}

int
gf_traffic_copy(GfTrafficSlot *t, GfRemoteStats *out)
{
	int			n;

	SpinLockAcquire(&t->lock);
	n = Min(Max(t->n, 0), GF_SLOT_REMOTES);
	memcpy(out, t->rows, sizeof(GfRemoteStats) * n);
	out[n] = t->other;
	SpinLockRelease(&t->lock);
	return n + 1;
}
