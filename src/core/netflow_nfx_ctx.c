/*
 * netflow_nfx_ctx.c
 *    What the template set parser calls back while the NetFlow v9 / IPFIX
 *    message walker runs: record a soft error, queue the data sets that
 *    waited for a template.  Apart from netflow_v9_ipfix.c, which calls
 *    the template set parser, so that the calls run one way: walker ->
 *    template sets -> this file.
 */
#include "netflow_nfx.h"

#include <stdarg.h>
#include <stdio.h>

void
gf_nfx_soft(gf_nfx_ctx *c, gf_rc code, size_t offset, const char *fmt,...)
{
	va_list		ap;
	char		buf[sizeof(c->soft.msg)];

	if (c->soft_rc == GF_OK)
	{
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		/* Named like a hard error of the same datagram. */
		c->soft.proto = c->err->proto;
		c->soft_rc = gf_fail(&c->soft, code, offset, "%s", buf);
	}
}

void
gf_nfx_release_pending(gf_nfx_ctx *c, const gf_nf_msg *msg, uint16_t template_id)
{
	gf_nf_pending_mark_ready(c->st->pending, &msg->scope, template_id);
}
