/*
 * netflow_persist.h
 *    Saving and restoring what a decoder has learnt from NetFlow v9 / IPFIX
 *    exporters -- templates, sampling rates, IPFIX system init times -- so
 *    that a collector restart decodes data at once instead of waiting
 *    (often 5 to 30 minutes) for every exporter to resend its templates.
 *
 *    The core knows nothing of where the state is kept: the adapter asks
 *    for the entries that changed since it last saved (a state version),
 *    stores them as it likes, and hands them back at start.  What comes
 *    back is untrusted: a template read back is checked with the same
 *    bounds as one from the wire, and a bad one is refused with an error
 *    and counted (nf_state_import_rejected), never installed.
 */
#ifndef GF_NETFLOW_PERSIST_H
#define GF_NETFLOW_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* Format byte that starts a serialized template; bumped if it changes. */
#define GF_TEMPLATE_BLOB_FORMAT 1

/*
 * One template.  The numeric fields are wider than the protocol's so that
 * values read back from a database (int, bigint) can be passed as they
 * are and checked here.
 *
 * bytes, GF_TEMPLATE_BLOB_FORMAT 1, all big-endian:
 *    u8 format, u16 field count, u16 scope field count, then per field
 *    u16 element id (IPFIX: with the enterprise bit 0x8000), u16 length
 *    (65535: IPFIX variable length), and u32 enterprise number only when
 *    the enterprise bit is set -- the IPFIX field specifier layout.
 */
typedef struct gf_template_blob
{
	gf_addr		exporter;
	uint32_t	version;		/* 9 or 10 */
	uint64_t	domain;			/* v9 source id / IPFIX observation domain */
	uint32_t	template_id;	/* >= 256 */
	bool		options;		/* options template */
	uint64_t	received_ns;	/* when the layout was learnt, UNIX ns */
	const uint8_t *bytes;
	size_t		len;
} gf_template_blob;

/* One sampling entry: a rate, an init time, or both. */
typedef struct gf_sampling_blob
{
	gf_addr		exporter;
	uint32_t	version;		/* 9 or 10 */
	uint64_t	domain;
	bool		has_sampler;	/* false: the rate of the whole domain */
	uint64_t	sampler_id;		/* 0 unless has_sampler */
	bool		has_rate;
	uint64_t	rate;			/* 1 in rate packets; >= 1 */
	bool		has_init_time;	/* IPFIX systemInitTimeMilliseconds; domain
								 * entries only */
	uint64_t	init_ms;
} gf_sampling_blob;

typedef void (*gf_template_cb) (void *arg, const gf_template_blob *t);
typedef void (*gf_sampling_cb) (void *arg, const gf_sampling_blob *s);

/*
 * Grows whenever a template is stored, redefined or withdrawn, or a
 * sampling rate or init time changes (not on identical refreshes).  The
 * adapter saves when it differs from the value it saved at.
 */
uint64_t	gf_decoder_state_version(gf_decoder *d);

size_t		gf_decoder_template_count(gf_decoder *d);

/*
 * Hand every template stored or redefined after state version since
 * (0: all) to cb; t->bytes is valid only during the call.  Withdrawn
 * templates are not reported.  GF_ERR_NOMEM if no buffer could be had.
 */
gf_rc		gf_decoder_export_templates(gf_decoder *d, uint64_t since,
										gf_template_cb cb, void *arg);

/* Same for sampling entries that changed after since. */
void		gf_decoder_export_sampling(gf_decoder *d, uint64_t since,
									   gf_sampling_cb cb, void *arg);

/*
 * Install a saved template.  A template already present that came from
 * the wire, or that was imported with the same or a later received_ns,
 * is kept and GF_OK returned.  A malformed blob gives GF_ERR_TRUNCATED,
 * GF_ERR_LENGTH, GF_ERR_VERSION or GF_ERR_TEMPLATE, a full store
 * GF_ERR_LIMIT; err->offset is a byte offset in t->bytes.
 *
 * Data sets already waiting for this template are not decoded by the
 * import: they wait for the template from the wire, or expire.  Import
 * before the first datagram.
 */
gf_rc		gf_decoder_import_template(gf_decoder *d, const gf_template_blob *t,
									   gf_error *err);

/*
 * Install a saved sampling entry; a rate or init time already learnt
 * from options data is kept.
 */
gf_rc		gf_decoder_import_sampling(gf_decoder *d, const gf_sampling_blob *s,
									   gf_error *err);

#endif							/* GF_NETFLOW_PERSIST_H */
