/*
 * seq_gap.h
 *    Estimates what an exporter sent that never reached us, from the
 *    sequence numbers in its message headers: NetFlow v5 counts flows,
 *    v9 export packets, IPFIX data records, sFlow datagrams (and flow
 *    samples per source).  One gf_seq per stream (exporter, protocol,
 *    observation domain / sub-agent).
 *
 *    Each message says "I start at sequence S and carry N units", so the
 *    next one should start at S + N.  A message further on means units
 *    were lost on the way; one behind came late (reordered) or twice
 *    (duplicated).  The last GF_SEQ_GAPS gaps are remembered, so a late
 *    message takes back from the loss only the units that fall in one
 *    of them: a duplicate takes back nothing.  All arithmetic
 *    is modulo 2^32: the sequence wraps, and the signed 32-bit difference
 *    tells ahead from behind.
 *
 *    What must never happen is an absurd loss when the exporter restarts
 *    (its sequence starts again, from 0 or at random).  A restart is
 *    taken when:
 *      - the sequence went back further than GF_SEQ_BACK_WINDOW units;
 *      - it went back and the message's export time (v5 / v9 / IPFIX
 *        header seconds) is later than the latest one's: a late message
 *        cannot have been made after it;
 *      - the exporter's boot time, read as receive time - sysUptime
 *        (v5 / v9 / sFlow), moved by more than GF_SEQ_BOOT_SLACK_MS
 *        (a reboot, or a message delayed that long: either way the
 *        sequence cannot be compared);
 *      - it jumped forward further than GF_SEQ_MAX_RATE units per second
 *        of receive time since the latest message, plus
 *        GF_SEQ_FWD_SLACK: no link loses that much between two messages.
 *    A restart counts nothing as lost and starts over from the message.
 *
 *    Where a message's unit count is unknown (an IPFIX data set waiting
 *    for its template: its records cannot be counted yet), the next
 *    message only resynchronises.
 */
#ifndef GF_SEQ_GAP_H
#define GF_SEQ_GAP_H

#include <stdbool.h>
#include <stdint.h>

#define GF_SEQ_BACK_WINDOW		65536u
#define GF_SEQ_BOOT_SLACK_MS	10000
#define GF_SEQ_MAX_RATE			1000000u
#define GF_SEQ_FWD_SLACK		65536u
#define GF_SEQ_GAPS				8

/* The header facts of one message. */
typedef struct gf_seq_msg
{
	uint32_t	seq;			/* sequence number in the header */
	uint32_t	units;			/* what this message adds to it */
	bool		units_known;
	bool		has_uptime;		/* v5, v9, sFlow */
	uint32_t	uptime_ms;
	bool		has_export;		/* v5, v9, IPFIX */
	uint32_t	export_secs;
	uint64_t	recv_ns;		/* when we received it (UNIX ns) */
} gf_seq_msg;

/* One stream's state; zero it to start. */
typedef struct gf_seq
{
	bool		started;
	bool		next_known;		/* false after a message of unknown size */
	uint32_t	next;			/* sequence the next message should carry */
	uint32_t	last_seq;		/* of the latest message (not late ones) */
	bool		has_uptime;
	uint32_t	uptime_ms;		/* of the latest message */
	bool		has_export;
	uint32_t	export_secs;
	uint64_t	recv_ns;
	uint64_t	lost;			/* units skipped, less those that came late */
	uint64_t	late;			/* messages behind the expected sequence */
	uint64_t	resets;			/* restarts detected (no loss counted) */
	uint32_t	n_gaps;			/* recent gaps a late message may fill */
	uint32_t	gap_start[GF_SEQ_GAPS];
	uint32_t	gap_len[GF_SEQ_GAPS];
} gf_seq;

typedef enum gf_seq_verdict
{
	GF_SEQ_FIRST,				/* first message of the stream */
	GF_SEQ_IN_ORDER,
	GF_SEQ_GAP,					/* units skipped: added to lost */
	GF_SEQ_LATE,				/* behind: taken back from lost */
	GF_SEQ_RESTART,				/* exporter restarted: started over */
	GF_SEQ_RESYNC				/* previous size unknown: started over */
} gf_seq_verdict;

gf_seq_verdict gf_seq_observe(gf_seq *t, const gf_seq_msg *m);

/* Forget the counts (lost, late, resets) and gaps, keep the position. */
void		gf_seq_reset_counts(gf_seq *t);

#endif							/* GF_SEQ_GAP_H */
