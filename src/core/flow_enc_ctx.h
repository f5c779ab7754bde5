/*
 * flow_enc_ctx.h
 *    What a flow's context references (gf_flow.ctx_*) resolve to in a
 *    context snapshot, as the encoders (flow_json.c, flow_pb.c) write it:
 *    one resolution so that JSON and protobuf agree on what is sent.
 *
 *    A reference that is GF_CTX_NONE, or that the snapshot does not hold
 *    (out of range: the flow was enriched with another snapshot), resolves
 *    to nothing.  A context object's JSON text is kept only when it looks
 *    like an object: its first and last non-blank characters are '{' and
 *    '}'.  The snapshot's builder copies the text as given (PostgreSQL's
 *    jsonb output or the context YAML loader's, both canonical JSON), so
 *    that cheap check guards against a text that is not an object, not
 *    against a malformed one.
 *
 *    Internal to the core.
 */
#ifndef GF_FLOW_ENC_CTX_H
#define GF_FLOW_ENC_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "flow.h"

typedef struct gf_fec_iface
{
	bool		found;
	const char *name;			/* NULL: not set */
	const char *description;
	const char *provider;
	const char *boundary;		/* gf_boundary_name(), NULL when unknown */
	bool		has_speed;
	uint64_t	speed;
	const char *context;		/* JSON object text or NULL */
} gf_fec_iface;

typedef struct gf_fec_view
{
	bool		any;			/* something matched */
	bool		src_found;
	const char *src_group;
	const char *src_context;
	bool		dst_found;
	const char *dst_group;
	const char *dst_context;
	bool		device_found;
	const char *device_name;
	const char *device_site;
	const char *device_role;
	const char *device_context;
	gf_fec_iface in_if;
	gf_fec_iface out_if;
} gf_fec_view;

/* Resolve f's references in s (NULL: nothing matches). */
void		gf_fec_resolve(const gf_flow *f, const gf_ctx_snapshot *s, gf_fec_view *v);

/* json when it looks like a JSON object ('{' ... '}'), else NULL. */
const char *gf_fec_object_or_null(const char *json);

/* Whether s (NUL-terminated) is well-formed UTF-8 (RFC 3629). */
bool		gf_fec_utf8_valid(const char *s);

/*
 * Length of the well-formed UTF-8 sequence starting at s (at most n bytes
 * available), or 0 when ill-formed; *bad_len is then the length of its
 * maximal subpart (>= 1), the bytes one U+FFFD replaces (Unicode 15,
 * 3.9, "U+FFFD Substitution of Maximal Subparts").  s[0] >= 0x80.
 */
size_t		gf_fec_utf8_seq(const unsigned char *s, size_t n, size_t *bad_len);

#endif							/* GF_FLOW_ENC_CTX_H */
