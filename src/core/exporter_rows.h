/*
 * exporter_rows.h
 *    The rows of goflow2plus.exporters(): one per exporter address,
 *    protocol and observation domain (sFlow: agent and sub-agent), for
 *    every protocol.  Each protocol decoder describes the message it is
 *    decoding in the decoder's gf_row_msg (header facts, flows, rates
 *    seen, sFlow sample sequences); decode.c commits it to the row once
 *    the datagram is done, so the table is looked up once per datagram.
 *
 *    Bounded like the v9 / IPFIX exporter table: at most max rows (rows
 *    of datagrams beyond are counted, not kept), keyed with the
 *    decoder's secret hash key, and a row silent for the idle timeout is
 *    dropped.
 */
#ifndef GF_EXPORTER_ROWS_H
#define GF_EXPORTER_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "counters.h"
#include "decode.h"
#include "netflow_hash.h"
#include "seq_gap.h"

/* sFlow flow samples whose sequence one datagram records. */
#define GF_ROW_MSG_SAMPLES	64
/* sFlow sources (data source ids) a row follows the sample sequence of. */
#define GF_ROW_SOURCES		64

/* What the protocol decoder learnt of the message being decoded. */
typedef struct gf_row_msg
{
	bool		valid;			/* the header was read: a row can be named */
	gf_flow_type type;
	gf_addr		exporter;
	uint32_t	domain;
	gf_seq_msg	seq;
	bool		count_records;	/* IPFIX: units are the data records */
	bool		records_unknown;	/* a data set could not be counted */
	uint32_t	records;
	uint64_t	flows;
	uint32_t	n_rates;
	uint64_t	rates[GF_ROW_RATES];
	uint32_t	n_samples;
	struct
	{
		uint32_t	source;		/* source id type << 24 | index */
		uint32_t	seq;
	}			samples[GF_ROW_MSG_SAMPLES];
} gf_row_msg;

typedef struct gf_rows gf_rows;

gf_rows    *gf_rows_new(uint32_t max_rows, const gf_hash_key *key);
void		gf_rows_free(gf_rows *x);

/* Start describing a message (the header was read). */
void		gf_row_msg_begin(gf_row_msg *m, gf_flow_type type,
							 const gf_addr *exporter, uint32_t domain);

/* A new sampling rate in the message (gf_row_msg_flow's slow path). */
void		gf_row_msg_rate(gf_row_msg *m, uint64_t rate);

/*
 * A flow record was produced: count it, remember its sampling rate.
 * Inline: it runs once per flow, and the rate is nearly always the one
 * seen last.
 */
static inline void
gf_row_msg_flow(gf_row_msg *m, const gf_flow *f)
{
	m->flows++;
	if (GF_HAS(f, GF_F_SAMPLING_RATE) && f->sampling_rate > 0 &&
		(m->n_rates == 0 || m->rates[0] != f->sampling_rate))
		gf_row_msg_rate(m, f->sampling_rate);
}

/* Forget the previous message: what is after n_samples needs no zeroing. */
static inline void
gf_row_msg_clear(gf_row_msg *m)
{
	memset(m, 0, offsetof(gf_row_msg, samples));
}

/*
 * Commit a message to its row.  dg is the datagram it came in (the row
 * is made if needed, datagram, bytes and sequence counted, failed counts
 * a decode error); NULL for data sets decoded later, once their template
 * came (only flows and rates are added, to a row that exists).
 */
void		gf_rows_commit(gf_rows *x, const gf_row_msg *m, const gf_datagram *dg,
						   bool failed, gf_counters *c);

/* Drop rows not heard from for idle_ns; returns how many. */
uint32_t	gf_rows_expire(gf_rows *x, uint64_t now_ns, uint64_t idle_ns);

/* Zero every row's counts (see gf_decoder_reset_exporter_counts). */
void		gf_rows_reset_counts(gf_rows *x);

/* cb gets a copy of each row it may fill further (nf, has_state). */
void		gf_rows_foreach(const gf_rows *x,
							void (*cb) (void *arg, gf_exporter_row *r),
							void *arg);

#endif							/* GF_EXPORTER_ROWS_H */
