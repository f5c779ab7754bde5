/*
 * seq_gap.c
 *    The sequence-gap estimate of seq_gap.h: one comparison per message,
 *    no allocation.
 */
#include "seq_gap.h"

#define SEQ_NS_PER_MS	UINT64_C(1000000)
#define SEQ_NS_PER_SEC	UINT64_C(1000000000)

/* Take m as the stream's latest message. */
static void
seq_take(gf_seq *t, const gf_seq_msg *m)
{
	t->next = m->seq + m->units;
	t->next_known = m->units_known;
	t->last_seq = m->seq;
	t->has_uptime = m->has_uptime;
	t->uptime_ms = m->uptime_ms;
	t->has_export = m->has_export;
	t->export_secs = m->export_secs;
	t->recv_ns = m->recv_ns;
}

/*
 * The exporter's boot time moved: receive time minus uptime, compared
 * with the latest message's, modulo 2^32 ms like the uptime itself.  A
 * message delayed on the way moves it by its delay; a reboot by the time
 * the exporter had been up.
 */
static bool
seq_boot_moved(const gf_seq *t, const gf_seq_msg *m)
{
	uint32_t	recv_ms_now;
	uint32_t	recv_ms_then;
	int32_t		moved;

	if (!t->has_uptime || !m->has_uptime)
		return false;
	recv_ms_now = (uint32_t) (m->recv_ns / SEQ_NS_PER_MS);
	recv_ms_then = (uint32_t) (t->recv_ns / SEQ_NS_PER_MS);
	moved = (int32_t) ((recv_ms_now - m->uptime_ms) - (recv_ms_then - t->uptime_ms));
	return moved > GF_SEQ_BOOT_SLACK_MS || moved < -GF_SEQ_BOOT_SLACK_MS;
}

/* A forward jump no link loss between two messages explains. */
static bool
seq_jump_too_far(const gf_seq *t, const gf_seq_msg *m, uint32_t ahead)
{
	uint64_t	secs = m->recv_ns > t->recv_ns ?
		(m->recv_ns - t->recv_ns + SEQ_NS_PER_SEC - 1) / SEQ_NS_PER_SEC : 0;

	return (uint64_t) ahead > secs * GF_SEQ_MAX_RATE + GF_SEQ_FWD_SLACK;
}

gf_seq_verdict
gf_seq_observe(gf_seq *t, const gf_seq_msg *m)
{
	int32_t		d;

	if (!t->started)
	{
		t->started = true;
		seq_take(t, m);
		return GF_SEQ_FIRST;
	}
	if (seq_boot_moved(t, m))
	{
		t->resets++;
		seq_take(t, m);
		return GF_SEQ_RESTART;
	}
	if (!t->next_known)
	{
		/*
		 * The previous message's size is unknown, so only its start can
		 * be compared: behind it is a late message or a restart, which
		 * the export time tells apart as below.
		 */
		d = (int32_t) (m->seq - t->last_seq);
		if (d < 0 && !(m->has_export && t->has_export &&
					   (int32_t) (m->export_secs - t->export_secs) > 0) &&
			(uint32_t) -(int64_t) d <= GF_SEQ_BACK_WINDOW)
		{
			t->late++;
			return GF_SEQ_LATE;
		}
		seq_take(t, m);
		return GF_SEQ_RESYNC;
	}

	d = (int32_t) (m->seq - t->next);
	if (d == 0)
	{
		seq_take(t, m);
		return GF_SEQ_IN_ORDER;
	}
	if (d > 0)
	{
		if (seq_jump_too_far(t, m, (uint32_t) d))
		{
			t->resets++;
			seq_take(t, m);
			return GF_SEQ_RESTART;
		}
		t->lost += (uint32_t) d;
		seq_take(t, m);
		return GF_SEQ_GAP;
	}

	/* Behind what was expected: late, or a restart. */
	if ((uint32_t) -(int64_t) d > GF_SEQ_BACK_WINDOW ||
		(m->has_export && t->has_export &&
		 (int32_t) (m->export_secs - t->export_secs) > 0))
	{
		t->resets++;
		seq_take(t, m);
		return GF_SEQ_RESTART;
	}
	t->late++;
	/* It fills part of a gap counted when a later message came first. */
	if (m->units_known)
		t->lost -= t->lost < m->units ? t->lost : m->units;
	return GF_SEQ_LATE;
}

void
gf_seq_reset_counts(gf_seq *t)
{
	t->lost = 0;
	t->late = 0;
	t->resets = 0;
}
