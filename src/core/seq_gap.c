/*
 * seq_gap.c
 *    The sequence-gap estimate of seq_gap.h: one comparison per message,
 *    no allocation.
 */
#include "seq_gap.h"

#define SEQ_NS_PER_MS	UINT64_C(1000000)
#define SEQ_NS_PER_SEC	UINT64_C(1000000000)

/* Remember a gap; the oldest is forgotten (its loss stays counted). */
static void
seq_gap_add(gf_seq *t, uint32_t start, uint32_t len)
{
	uint32_t	i;

	if (t->n_gaps == GF_SEQ_GAPS)
	{
		for (i = 1; i < GF_SEQ_GAPS; i++)
		{
			t->gap_start[i - 1] = t->gap_start[i];
			t->gap_len[i - 1] = t->gap_len[i];
		}
		t->n_gaps--;
	}
	t->gap_start[t->n_gaps] = start;
	t->gap_len[t->n_gaps] = len;
	t->n_gaps++;
}

static void
seq_gap_remove(gf_seq *t, uint32_t i)
{
	for (; i + 1 < t->n_gaps; i++)
	{
		t->gap_start[i] = t->gap_start[i + 1];
		t->gap_len[i] = t->gap_len[i + 1];
	}
	t->n_gaps--;
}

/*
 * A late message [seq, seq + units): the units of it that fall in
 * remembered gaps arrived after all; take them out of the gaps and
 * return how many.  A duplicate falls in none.
 */
static uint32_t
seq_gap_fill(gf_seq *t, uint32_t seq, uint32_t units)
{
	uint32_t	filled = 0;
	uint32_t	i = 0;

	while (i < t->n_gaps)
	{
		/* Offsets from the gap's start; the message may begin before it. */
		int64_t		lo = (int32_t) (seq - t->gap_start[i]);
		int64_t		hi = lo + units;
		int64_t		len = t->gap_len[i];

		if (lo < 0)
			lo = 0;
		if (hi > len)
			hi = len;
		if (hi <= lo)
		{
			i++;
			continue;
		}
		filled += (uint32_t) (hi - lo);
		if (lo == 0 && hi == len)
		{
			seq_gap_remove(t, i);
			continue;
		}
		if (lo == 0)
		{
			t->gap_start[i] += (uint32_t) hi;
			t->gap_len[i] = (uint32_t) (len - hi);
		}
		else if (hi == len)
			t->gap_len[i] = (uint32_t) lo;
		else
		{
			/* The middle: the gap splits in two. */
			uint32_t	start = t->gap_start[i];

			t->gap_len[i] = (uint32_t) lo;
			seq_gap_add(t, start + (uint32_t) hi, (uint32_t) (len - hi));
		}
		i++;
	}
	return filled;
}

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
		t->n_gaps = 0;
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
			t->n_gaps = 0;
			seq_take(t, m);
			return GF_SEQ_RESTART;
		}
		t->lost += (uint32_t) d;
		seq_gap_add(t, t->next, (uint32_t) d);
		seq_take(t, m);
		return GF_SEQ_GAP;
	}

	/* Behind what was expected: late, or a restart. */
	if ((uint32_t) -(int64_t) d > GF_SEQ_BACK_WINDOW ||
		(m->has_export && t->has_export &&
		 (int32_t) (m->export_secs - t->export_secs) > 0))
	{
		t->resets++;
		t->n_gaps = 0;
		seq_take(t, m);
		return GF_SEQ_RESTART;
	}
	t->late++;
	/* What of it falls in a gap counted when a later message came first. */
	if (m->units_known)
	{
		uint32_t	filled = seq_gap_fill(t, m->seq, m->units);

		t->lost -= t->lost < filled ? t->lost : filled;
	}
	return GF_SEQ_LATE;
}

void
gf_seq_reset_counts(gf_seq *t)
{
	t->lost = 0;
	t->late = 0;
	t->resets = 0;
	t->n_gaps = 0;
}
