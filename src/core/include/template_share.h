/*
 * template_share.h
 *    The values collectors put in a JetStream key-value bucket to share
 *    NetFlow v9 / IPFIX templates and sampling facts
 *    (goflow2plus.nats_templates_bucket): a node whose exporter's data
 *    came without its template (a UDP load balancer split them) decodes it
 *    once another node that received the template has put it here.
 *
 *    A value is self-contained (the key only names it), so a reader never
 *    parses keys.  Layout, big-endian:
 *      "GT" 1 | family u8 | address 16 | version u32 | domain u64 |
 *        template id u32 | options u8 | received_ns u64 | netflow_persist
 *        blob (the rest)
 *      "GS" 1 | family u8 | address 16 | version u32 | domain u64 |
 *        has_sampler u8 | sampler_id u64 | has_rate u8 | rate u64 |
 *        has_init_time u8 | init_ms u64
 *    Keys: "t.<address hex>.<version>.<domain>.<template id>" and
 *    "s.<address hex>.<version>.<domain>.<d|s<sampler id>>" (letters,
 *    digits and dots only, as bucket keys must be).
 *
 *    Values come from the network: gf_share_parse checks every length;
 *    what it returns still goes through the decoder's import checks
 *    (netflow_persist.h), which refuse a bad template as they refuse one
 *    from a saved row.
 *
 *    Core layer: plain C11, no postgres.h.
 */
#ifndef GF_TEMPLATE_SHARE_H
#define GF_TEMPLATE_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "netflow_persist.h"

#define GF_SHARE_KEY_MAX	96
/* A template value: header plus a blob of up to 65535 fields' worth. */
#define GF_SHARE_HDR_T		(3 + 1 + 16 + 4 + 8 + 4 + 1 + 8)
#define GF_SHARE_LEN_S		(3 + 1 + 16 + 4 + 8 + 1 + 8 + 1 + 8 + 1 + 8)

/* Key and value of a template; value bytes written, 0 if cap is short. */
size_t		gf_share_template(const gf_template_blob *t, char *key, size_t keycap,
							  uint8_t *val, size_t valcap);
size_t		gf_share_sampling(const gf_sampling_blob *s, char *key, size_t keycap,
							  uint8_t *val, size_t valcap);

typedef enum gf_share_kind
{
	GF_SHARE_BAD = 0,
	GF_SHARE_TEMPLATE,
	GF_SHARE_SAMPLING
} gf_share_kind;

/*
 * Read a value.  For a template, t->bytes points into val.  GF_SHARE_BAD
 * for anything malformed.
 */
gf_share_kind gf_share_parse(const uint8_t *val, size_t len,
							 gf_template_blob *t, gf_sampling_blob *s);

#endif							/* GF_TEMPLATE_SHARE_H */
