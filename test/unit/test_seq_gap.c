/*
 * test_seq_gap.c
 *    The sequence-gap estimate (src/core/seq_gap.c) against tables of
 *    message sequences whose losses are known by construction: in order,
 *    gaps, wrap at 2^32, reordering, duplicates, restarts (sequence back
 *    to 0 or to a random value, uptime reset, export time later), and
 *    messages of unknown size.
 */
#include <stdint.h>

#include "seq_gap.h"
#include "unit.h"

#define NS_MS	UINT64_C(1000000)

/* One message of a table: sequence, units, uptime, export secs, recv ms. */
typedef struct msg_row
{
	uint32_t	seq;
	uint32_t	units;
	int			known;			/* 0: units unknown */
	int64_t		uptime_ms;		/* -1: none */
	int64_t		export_secs;	/* -1: none */
	uint64_t	recv_ms;
	gf_seq_verdict want;
} msg_row;

typedef struct seq_case
{
	const char *name;
	const msg_row *rows;
	int			n;
	uint64_t	lost;
	uint64_t	late;
	uint64_t	resets;
} seq_case;

#define R(seq, units, up, ex, recv, want) {seq, units, 1, up, ex, recv, want}
#define RU(seq, up, ex, recv, want) {seq, 0, 0, up, ex, recv, want}

/* v9-like: one unit per message, uptime and export time. */
static const msg_row in_order[] = {
	R(100, 1, 5000, 1000, 10000, GF_SEQ_FIRST),
	R(101, 1, 5100, 1000, 10100, GF_SEQ_IN_ORDER),
	R(102, 1, 5200, 1000, 10200, GF_SEQ_IN_ORDER),
	R(103, 1, 5300, 1000, 10300, GF_SEQ_IN_ORDER),
};

/* v5-like: 30 flows a message, 2 messages (60 flows) then 1 lost. */
static const msg_row v5_gaps[] = {
	R(0, 30, 5000, 1000, 10000, GF_SEQ_FIRST),
	R(30, 30, 5100, 1000, 10100, GF_SEQ_IN_ORDER),
	R(120, 30, 5200, 1000, 10200, GF_SEQ_GAP),	/* 60 lost */
	R(180, 30, 5300, 1000, 10300, GF_SEQ_GAP),	/* 30 lost */
	R(210, 7, 5400, 1000, 10400, GF_SEQ_IN_ORDER),
	R(217, 30, 5500, 1000, 10500, GF_SEQ_IN_ORDER),
};

/* Across 2^32: no gap, a late duplicate from before the wrap, a gap of 3. */
static const msg_row wrap[] = {
	R(0xfffffffeu, 1, 5000, 1000, 10000, GF_SEQ_FIRST),
	R(0xffffffffu, 1, 5100, 1000, 10100, GF_SEQ_IN_ORDER),
	R(0, 1, 5200, 1000, 10200, GF_SEQ_IN_ORDER),
	R(1, 1, 5300, 1000, 10300, GF_SEQ_IN_ORDER),
	R(0xffffffffu, 1, 5100, 1000, 10400, GF_SEQ_LATE),	/* duplicate across */
	R(0x00000002u, 1, 5500, 1000, 10500, GF_SEQ_IN_ORDER),
	R(0x00000006u, 1, 5600, 1000, 10600, GF_SEQ_GAP),	/* 3 lost */
};

/* 10 and 11 swapped, 13 duplicated: late, never a huge or negative gap. */
static const msg_row reorder[] = {
	R(9, 1, 5000, 1000, 10000, GF_SEQ_FIRST),
	R(11, 1, 5200, 1000, 10200, GF_SEQ_GAP),	/* 10 missing for now */
	R(10, 1, 5100, 1000, 10210, GF_SEQ_LATE),	/* ... here it is */
	R(12, 1, 5300, 1000, 10300, GF_SEQ_IN_ORDER),
	R(13, 1, 5400, 1000, 10400, GF_SEQ_IN_ORDER),
	R(13, 1, 5400, 1000, 10410, GF_SEQ_LATE),	/* duplicate */
	R(14, 1, 5500, 1000, 10500, GF_SEQ_IN_ORDER),
};

/* Lost 1, then late three times: only the missing one takes it back. */
static const msg_row late_floor[] = {
	R(1, 1, -1, 1000, 10000, GF_SEQ_FIRST),
	R(3, 1, -1, 1000, 10100, GF_SEQ_GAP),	/* 1 lost */
	R(2, 1, -1, 1000, 10110, GF_SEQ_LATE),	/* 0 lost */
	R(2, 1, -1, 1000, 10120, GF_SEQ_LATE),	/* duplicate: still 0 */
	R(1, 1, -1, 1000, 10130, GF_SEQ_LATE),	/* still 0 */
};

/* A duplicate after a gap does not take back what the gap lost. */
static const msg_row dup_after_gap[] = {
	R(0, 5, -1, 1000, 10000, GF_SEQ_FIRST),
	R(5, 5, -1, 1000, 10100, GF_SEQ_IN_ORDER),
	R(20, 5, -1, 1000, 10200, GF_SEQ_GAP),	/* 10 lost */
	R(5, 5, -1, 1000, 10300, GF_SEQ_LATE),	/* a duplicate */
	R(25, 5, -1, 1000, 10400, GF_SEQ_IN_ORDER),
	R(20, 5, -1, 1000, 10500, GF_SEQ_LATE),	/* another */
};

/* Late messages fill a gap of 10 in the middle, then both ends. */
static const msg_row late_split[] = {
	R(90, 10, -1, 1000, 10000, GF_SEQ_FIRST),
	R(110, 10, -1, 1000, 10100, GF_SEQ_GAP),	/* 100..109 lost */
	R(103, 2, -1, 1000, 10110, GF_SEQ_LATE),	/* 8 lost */
	R(98, 5, -1, 1000, 10120, GF_SEQ_LATE),	/* 100..102 came: 5 lost */
	R(105, 3, -1, 1000, 10130, GF_SEQ_LATE),	/* 2 lost */
	R(108, 2, -1, 1000, 10140, GF_SEQ_LATE),	/* 0 lost */
	R(108, 2, -1, 1000, 10150, GF_SEQ_LATE),	/* duplicate: 0 */
	R(0x90000000u, 1, -1, 1000, 10160, GF_SEQ_RESTART),	/* far back */
};

/* Reboot: sequence back to 0, uptime back to 0.1 s. */
static const msg_row restart_uptime[] = {
	R(5000, 1, 3600000, 1000, 10000, GF_SEQ_FIRST),
	R(5001, 1, 3600100, 1000, 10100, GF_SEQ_IN_ORDER),
	R(0, 1, 100, 1000, 11000, GF_SEQ_RESTART),
	R(1, 1, 200, 1001, 11100, GF_SEQ_IN_ORDER),
	R(3, 1, 300, 1001, 11200, GF_SEQ_GAP),	/* 1 lost after the restart */
};

/* Reboot to a random sequence ahead: no absurd loss. */
static const msg_row restart_ahead[] = {
	R(5000, 1, 3600000, 1000, 10000, GF_SEQ_FIRST),
	R(3000000000u, 1, 3600100, 1000, 10100, GF_SEQ_RESTART),
	R(3000000001u, 1, 3600200, 1000, 10200, GF_SEQ_IN_ORDER),
};

/*
 * IPFIX has no uptime: a restart a few units back is told from a late
 * message by its export time (later than the latest message's).
 */
static const msg_row restart_export[] = {
	R(1000, 10, -1, 1000, 10000, GF_SEQ_FIRST),
	R(1010, 10, -1, 1001, 11000, GF_SEQ_IN_ORDER),
	R(0, 10, -1, 1003, 13000, GF_SEQ_RESTART),	/* 1020 back, 2 s later */
	R(10, 10, -1, 1003, 13100, GF_SEQ_IN_ORDER),
	R(15, 5, -1, 1003, 13200, GF_SEQ_LATE),	/* same second: late */
};

/* sFlow: uptime, no export time; a reboot after a short uptime. */
static const msg_row restart_short[] = {
	R(40, 1, 40000, -1, 50000, GF_SEQ_FIRST),
	R(41, 1, 41000, -1, 51000, GF_SEQ_IN_ORDER),
	R(0, 1, 500, -1, 70000, GF_SEQ_RESTART),	/* boot moved ~29 s */
	R(2, 1, 1500, -1, 71000, GF_SEQ_GAP),	/* 1 lost */
};

/* Up more than 24.8 days, then a reboot: uptime compared modulo 2^32. */
static const msg_row restart_long_uptime[] = {
	R(7, 1, 2592000000LL, 1000, 10000, GF_SEQ_FIRST),
	R(8, 1, 2592000100LL, 1000, 10100, GF_SEQ_IN_ORDER),
	R(9, 1, 5000, 1060, 70100, GF_SEQ_RESTART),	/* sequence fits, clock not */
	R(10, 1, 5100, 1060, 70200, GF_SEQ_IN_ORDER),
};

/* Uptime wraps at 2^32 ms (49.7 days) without a reboot: no restart. */
static const msg_row uptime_wrap[] = {
	R(7, 1, 4294967000LL, 1000, 10000, GF_SEQ_FIRST),
	R(8, 1, 4294967200LL, 1000, 10200, GF_SEQ_IN_ORDER),
	R(9, 1, 104, 1000, 10400, GF_SEQ_IN_ORDER),
	R(11, 1, 304, 1000, 10600, GF_SEQ_GAP),
};

/*
 * A forward jump is believed up to GF_SEQ_MAX_RATE a second (+ slack):
 * 500000 records skipped in 1 s is a loss, 3 billion is a restart.
 */
static const msg_row forward[] = {
	R(0, 100, -1, 1000, 10000, GF_SEQ_FIRST),
	R(500100, 100, -1, 1001, 11000, GF_SEQ_GAP),	/* 500000 lost */
	R(3000000000u, 100, -1, 1002, 12000, GF_SEQ_RESTART),
};

/* IPFIX data waiting for its template: sizes unknown, resynchronise. */
static const msg_row unknown_units[] = {
	R(0, 10, -1, 1000, 10000, GF_SEQ_FIRST),
	RU(10, -1, 1000, 10100, GF_SEQ_IN_ORDER),	/* size unknown */
	R(25, 10, -1, 1000, 10200, GF_SEQ_RESYNC),	/* no loss counted */
	R(35, 10, -1, 1000, 10300, GF_SEQ_IN_ORDER),
	RU(45, -1, 1000, 10400, GF_SEQ_IN_ORDER),
	R(40, 5, -1, 1000, 10500, GF_SEQ_LATE),	/* behind the unknown one */
	R(60, 10, -1, 1000, 10600, GF_SEQ_RESYNC),
	R(75, 10, -1, 1000, 10700, GF_SEQ_GAP),	/* 5 lost */
};

#define CASE(rows, lost, late, resets) \
	{#rows, rows, (int) (sizeof(rows) / sizeof(rows[0])), lost, late, resets}

static const seq_case cases[] = {
	CASE(in_order, 0, 0, 0),
	CASE(v5_gaps, 90, 0, 0),
	CASE(wrap, 3, 1, 0),
	CASE(reorder, 0, 2, 0),
	CASE(late_floor, 0, 3, 0),
	CASE(dup_after_gap, 10, 2, 0),
	CASE(late_split, 0, 5, 1),
	CASE(restart_uptime, 1, 0, 1),
	CASE(restart_ahead, 0, 0, 1),
	CASE(restart_export, 0, 1, 1),
	CASE(restart_short, 1, 0, 1),
	CASE(restart_long_uptime, 0, 0, 1),
	CASE(uptime_wrap, 1, 0, 0),
	CASE(forward, 500000, 0, 1),
	CASE(unknown_units, 5, 1, 0),
};

static void
run_case(const seq_case *c)
{
	gf_seq		t = {0};
	int			i;

	for (i = 0; i < c->n; i++)
	{
		const msg_row *r = &c->rows[i];
		gf_seq_msg	m = {0};
		gf_seq_verdict v;

		m.seq = r->seq;
		m.units = r->units;
		m.units_known = r->known != 0;
		m.has_uptime = r->uptime_ms >= 0;
		m.uptime_ms = (uint32_t) r->uptime_ms;
		m.has_export = r->export_secs >= 0;
		m.export_secs = (uint32_t) r->export_secs;
		m.recv_ns = r->recv_ms * NS_MS;
		v = gf_seq_observe(&t, &m);
		if (v != r->want)
			fprintf(stderr, "%s: message %d: verdict %d, expected %d\n",
					c->name, i, (int) v, (int) r->want);
		CHECK(v == r->want);
	}
	if (t.lost != c->lost || t.late != c->late || t.resets != c->resets)
		fprintf(stderr, "%s: lost %llu late %llu resets %llu\n", c->name,
				(unsigned long long) t.lost, (unsigned long long) t.late,
				(unsigned long long) t.resets);
	CHECK_EQ_U64(t.lost, c->lost);
	CHECK_EQ_U64(t.late, c->late);
	CHECK_EQ_U64(t.resets, c->resets);
}

/* Every starting point of a long in-order run with K skipped: lost = K. */
static void
test_skip_anywhere(void)
{
	uint32_t	starts[] = {0, 1000, 0xffffff00u, 0xfffffff0u, 0x7fffffffu};
	unsigned	s;

	/* Skip K whole messages from a running stream, across the wrap too. */
	for (s = 0; s < sizeof(starts) / sizeof(starts[0]); s++)
	{
		gf_seq		t = {0};
		int			i;
		uint64_t	skipped = 0;

		for (i = 0; i < 1000; i++)
		{
			gf_seq_msg	m = {0};

			m.seq = starts[s] + (uint32_t) i * 30u;
			m.units = 30;
			m.units_known = true;
			m.has_uptime = true;
			m.uptime_ms = 1000u + (uint32_t) i * 10u;
			m.recv_ns = (uint64_t) (20000 + i * 10) * NS_MS;
			if ((i >= 100 && i < 107) || (i >= 500 && i < 502))
			{
				skipped += m.units;
				continue;
			}
			(void) gf_seq_observe(&t, &m);
		}
		CHECK_EQ_U64(t.lost, skipped);
		CHECK_EQ_U64(t.resets, 0);
	}
}

int
main(void)
{
	unsigned	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_skip_anywhere();
	UNIT_MAIN_END();
}
