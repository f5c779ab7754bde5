/*
 * gf_error.h
 *    How the core reports a failure: a result code, where in the datagram,
 *    which protocol the datagram was decoded as, and a message.
 *
 *    The protocol is a field, not a word of the message, so a caller that
 *    shows its own wording (goflow2plus.decode() names the protocol in
 *    its ERROR) takes msg + body and never parses the text.
 */
#ifndef GF_ERROR_H
#define GF_ERROR_H

#include <stddef.h>

/* Result codes.  Anything but GF_OK means the datagram was (partly) dropped. */
typedef enum gf_rc
{
	GF_OK = 0,
	GF_ERR_TRUNCATED,			/* a read ran past the end */
	GF_ERR_VERSION,				/* unknown or unexpected version word */
	GF_ERR_LENGTH,				/* a length field disagrees with the data */
	GF_ERR_COUNT,				/* a count field disagrees with the data */
	GF_ERR_TEMPLATE,			/* a malformed template */
	GF_ERR_LIMIT,				/* an explicit limit was hit */
	GF_ERR_NOMEM
} gf_rc;

/* The protocol a datagram was decoded as; set by the decoder that took it. */
typedef enum gf_proto_kind
{
	GF_PK_UNKNOWN = 0,			/* no decoder took it (too short, unknown
								 * version word), or not a datagram at all */
	GF_PK_NETFLOW_V5,
	GF_PK_NETFLOW_V9,
	GF_PK_IPFIX,
	GF_PK_SFLOW_V5,
	GF_PK_NETFLOW_V1,
	GF_PK_NETFLOW_V7,
	GF_PK_NETFLOW_V8
} gf_proto_kind;

typedef struct gf_error
{
	gf_rc		code;
	gf_proto_kind proto;
	size_t		offset;			/* byte offset in the datagram */
	size_t		body;			/* msg + body: the message without the
								 * protocol name gf_fail put in front */
	char		msg[192];		/* "NetFlow v5 count 30 needs 1464 bytes, datagram has 1400" */
} gf_error;

/* "NetFlow v5", "NetFlow v9", "IPFIX", "sFlow v5", "NetFlow v1"...; NULL for GF_PK_UNKNOWN. */
const char *gf_proto_kind_name(gf_proto_kind k);

/*
 * Record the first error only; later ones in the same datagram are
 * ignored.  fmt says what went wrong without naming the protocol: when
 * err->proto is known, its name is put in front ("NetFlow v5 ", "IPFIX ",
 * and "sFlow " for sFlow, which has one version).
 */
gf_rc		gf_fail(gf_error *err, gf_rc code, size_t offset, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

#endif							/* GF_ERROR_H */
