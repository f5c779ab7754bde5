/*
 * decoder_internal.h
 *    What the protocol decoders share behind decode.h: the per-worker
 *    decoder object and each protocol's entry point.  Not for the adapter:
 *    it lives in src/core, not src/core/include, which is all the adapter
 *    is compiled to see.  Each entry point sets err->proto before it can
 *    fail, so gf_fail names the protocol in front of the message.
 */
#ifndef GF_DECODER_INTERNAL_H
#define GF_DECODER_INTERNAL_H

#include "decode.h"
#include "exporter_rows.h"

typedef struct gf_nf_state gf_nf_state;	/* templates, sampling, pending */

struct gf_decoder
{
	gf_limits	lim;			/* defaults filled in */
	gf_counters counters;
	gf_nf_state *nf;
	gf_rows    *rows;			/* goflow2plus.exporters() (exporter_rows.h) */
	gf_row_msg	msg;			/* the message being decoded, for its row */
	uint64_t	rows_pass;		/* marks addresses shown by exporter_rows */
	gf_mapping *mapping;		/* custom field mapping, or NULL */
};

/* NetFlow v9 / IPFIX state (netflow_state.c). */
gf_nf_state *gf_nf_state_new(const gf_limits *lim);
void		gf_nf_state_free(gf_nf_state *st);
void		gf_nf_state_expire(gf_decoder *d, uint64_t now_ns);

/* Protocol decoders: dg->data starts at the version word. */
gf_rc		gf_nf1_decode(gf_decoder *d, const gf_datagram *dg,
						  const gf_sink *sink, gf_error *err);
gf_rc		gf_nf5_decode(gf_decoder *d, const gf_datagram *dg,
						  const gf_sink *sink, gf_error *err);
gf_rc		gf_nf7_decode(gf_decoder *d, const gf_datagram *dg,
						  const gf_sink *sink, gf_error *err);
gf_rc		gf_nf8_decode(gf_decoder *d, const gf_datagram *dg,
						  const gf_sink *sink, gf_error *err);	/* aggregation */
gf_rc		gf_nfx_decode(gf_decoder *d, const gf_datagram *dg,
						  const gf_sink *sink, gf_error *err);	/* v9 and IPFIX */
gf_rc		gf_sflow_decode(gf_decoder *d, const gf_datagram *dg,
							const gf_sink *sink, gf_error *err);

#endif							/* GF_DECODER_INTERNAL_H */
