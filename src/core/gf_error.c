/*
 * gf_error.c
 *    The failure primitive every decoder calls back (gf_fail) and the
 *    protocol names.  Kept out of decode.c, which calls the decoders, so
 *    that the dependencies run one way: decode.c -> decoders -> gf_error.c.
 */
#include "gf_error.h"

#include <stdarg.h>
#include <stdio.h>

const char *
gf_proto_kind_name(gf_proto_kind k)
{
	switch (k)
	{
		case GF_PK_NETFLOW_V5:
			return "NetFlow v5";
		case GF_PK_NETFLOW_V9:
			return "NetFlow v9";
		case GF_PK_IPFIX:
			return "IPFIX";
		case GF_PK_SFLOW_V5:
			return "sFlow v5";
		case GF_PK_NETFLOW_V1:
			return "NetFlow v1";
		case GF_PK_NETFLOW_V7:
			return "NetFlow v7";
		case GF_PK_NETFLOW_V8:
			return "NetFlow v8";
		case GF_PK_UNKNOWN:
			break;
	}
	return NULL;
}

/* The name that leads a message: sFlow has one version, so none is said. */
static const char *
gf_msg_prefix(gf_proto_kind k)
{
	return k == GF_PK_SFLOW_V5 ? "sFlow" : gf_proto_kind_name(k);
}

gf_rc
gf_fail(gf_error *err, gf_rc code, size_t offset, const char *fmt,...)
{
	va_list		ap;
	const char *prefix;
	int			n = 0;

	if (err == NULL || err->code != GF_OK)
		return code;
	err->code = code;
	err->offset = offset;
	prefix = gf_msg_prefix(err->proto);
	if (prefix != NULL)
		n = snprintf(err->msg, sizeof(err->msg), "%s ", prefix);
	if (n < 0 || (size_t) n >= sizeof(err->msg))
		n = 0;
	err->body = (size_t) n;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t) n, fmt, ap);
	va_end(ap);
	return code;
}
