/*
 * flow_enc_ctx.c
 *    A flow's context references resolved for the encoders, and the UTF-8
 *    and JSON-object checks they share (see flow_enc_ctx.h).
 */
#include "flow_enc_ctx.h"

#include <string.h>

static bool
fec_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *
gf_fec_object_or_null(const char *json)
{
	size_t		i = 0;
	size_t		n;

	if (json == NULL)
		return NULL;
	while (fec_blank(json[i]))
		i++;
	if (json[i] != '{')
		return NULL;
	n = strlen(json + i) + i;
	while (n > i && fec_blank(json[n - 1]))
		n--;
	/* The '{' itself does not close the object: "{" alone is refused. */
	if (n - i < 2 || json[n - 1] != '}')
		return NULL;
	return json;
}

size_t
gf_fec_utf8_seq(const unsigned char *s, size_t n, size_t *bad_len)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;	/* range of the second byte */
	unsigned char hi = 0xbf;
	size_t		need;
	size_t		k;

	/* Unicode 15, table 3-7: the well-formed byte sequences. */
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
	{
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;			/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;			/* no surrogates */
	}
	else if (c >= 0xf0 && c <= 0xf4)
	{
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;			/* nothing above U+10FFFF */
	}
	else
	{
		*bad_len = 1;
		return 0;
	}
	for (k = 1; k < need; k++)
	{
		unsigned char b;

		if (k >= n)
			break;
		b = s[k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf))
			break;
	}
	if (k == need)
		return need;
	*bad_len = k;
	return 0;
}

bool
gf_fec_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		n = strlen(s);
	size_t		i = 0;

	while (i < n)
	{
		size_t		len;
		size_t		bad;

		if (p[i] < 0x80)
		{
			i++;
			continue;
		}
		len = gf_fec_utf8_seq(p + i, n - i, &bad);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

static void
fec_iface(const gf_ctx_snapshot *s, uint32_t number, gf_fec_iface *out)
{
	gf_ctx_interface i;

	memset(out, 0, sizeof(*out));
	if (number == GF_CTX_NONE || !gf_ctx_get_interface(s, number, &i))
		return;
	out->found = true;
	out->name = i.name;
	out->description = i.description;
	out->provider = i.provider;
	out->boundary = gf_boundary_name(i.boundary);
	out->has_speed = i.has_speed;
	out->speed = i.speed;
	out->context = gf_fec_object_or_null(i.context.json);
}

void
gf_fec_resolve(const gf_flow *f, const gf_ctx_snapshot *s, gf_fec_view *v)
{
	gf_ctx_network n;
	gf_ctx_device d;

	memset(v, 0, sizeof(*v));
	if (s == NULL)
		return;
	if (f->ctx_src_network != GF_CTX_NONE &&
		gf_ctx_get_network(s, f->ctx_src_network, &n))
	{
		v->src_found = true;
		v->src_group = n.name;
		v->src_context = gf_fec_object_or_null(n.context.json);
	}
	if (f->ctx_dst_network != GF_CTX_NONE &&
		gf_ctx_get_network(s, f->ctx_dst_network, &n))
	{
		v->dst_found = true;
		v->dst_group = n.name;
		v->dst_context = gf_fec_object_or_null(n.context.json);
	}
	if (f->ctx_device != GF_CTX_NONE && gf_ctx_get_device(s, f->ctx_device, &d))
	{
		v->device_found = true;
		v->device_name = d.name;
		v->device_site = d.site;
		v->device_role = d.role;
		v->device_context = gf_fec_object_or_null(d.context.json);
	}
	fec_iface(s, f->ctx_in_if, &v->in_if);
	fec_iface(s, f->ctx_out_if, &v->out_if);
	v->any = v->src_found || v->dst_found || v->device_found ||
		v->in_if.found || v->out_if.found;
}
