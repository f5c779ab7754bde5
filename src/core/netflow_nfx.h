/*
 * netflow_nfx.h
 *    What the NetFlow v9 / IPFIX message walker (netflow_v9_ipfix.c) and
 *    the template set parser (netflow_template_sets.c) share: the context
 *    of one datagram being decoded, and what the parser calls back
 *    (netflow_nfx_ctx.c).
 */
#ifndef GF_NETFLOW_NFX_H
#define GF_NETFLOW_NFX_H

#include "netflow_state.h"
#include "reader.h"

typedef struct gf_nfx_ctx
{
	gf_decoder *d;
	gf_nf_state *st;
	const gf_sink *sink;
	gf_error   *err;
	/*
	 * A "soft" error: something was refused (a template over a limit) or
	 * the IPFIX length was short, but the rest of the datagram is still
	 * sound and is decoded.  Kept apart from err so that a later hard
	 * error is the one reported; soft is copied to err at the end only if
	 * nothing worse happened.
	 */
	gf_rc		soft_rc;
	gf_error	soft;
} gf_nfx_ctx;

/* Record a soft error (the first one of the datagram is kept). */
void		gf_nfx_soft(gf_nfx_ctx *c, gf_rc code, size_t offset,
						const char *fmt,...) __attribute__((format(printf, 4, 5)));

/* Parse a v9 template (0) / options template (1) or IPFIX 2 / 3 set body. */
gf_rc		gf_nfx_template_set(gf_nfx_ctx *c, const gf_nf_msg *msg,
								uint16_t set_id, gf_rd *body);

/* Decode the data records of one set against a known template. */
gf_rc		gf_nfx_records(gf_nfx_ctx *c, const gf_nf_msg *msg,
						   const gf_nf_template *tpl, gf_rd *body);

/*
 * The same with the decoder's custom mapping applied (netflow_mapped.c):
 * data templates only, and only when the mapping names the protocol.
 */
gf_rc		gf_nfx_records_mapped(gf_nfx_ctx *c, const gf_nf_msg *msg,
								  const gf_nf_template *tpl, gf_rd *body);

/*
 * A template was stored: queue the data sets that were waiting for it;
 * they are decoded in bounded slices (gf_nfx_release_ready).
 */
void		gf_nfx_release_pending(gf_nfx_ctx *c, const gf_nf_msg *msg,
								   uint16_t template_id);

#endif							/* GF_NETFLOW_NFX_H */
