/*
 * template_share.c
 *    Shared-template keys and values (see template_share.h).
 */
#include "template_share.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static uint8_t *
ts_put(uint8_t *p, uint64_t v, int bytes)
{
	int			i;

	for (i = bytes - 1; i >= 0; i--)
	{
		p[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
	return p + bytes;
}

static uint64_t
ts_get(const uint8_t **p, int bytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | (*p)[i];
	*p += bytes;
	return v;
}

/* "c0000201" for 192.0.2.1, 32 digits for IPv6. */
static void
ts_hex(const gf_addr *a, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int			n = a->family == 6 ? 16 : 4;
	int			i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = digits[a->bytes[i] >> 4];
		out[2 * i + 1] = digits[a->bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static uint8_t *
ts_scope(uint8_t *p, const char magic[2], const gf_addr *a, uint32_t version,
		 uint64_t domain)
{
	*p++ = (uint8_t) magic[0];
	*p++ = (uint8_t) magic[1];
	*p++ = 1;
	*p++ = a->family;
	memcpy(p, a->bytes, 16);
	p += 16;
	p = ts_put(p, version, 4);
	return ts_put(p, domain, 8);
}

size_t
gf_share_template(const gf_template_blob *t, char *key, size_t keycap,
				  uint8_t *val, size_t valcap)
{
	char		hex[33];
	uint8_t    *p;

	if (t->exporter.family != 4 && t->exporter.family != 6)
		return 0;
	if (valcap < GF_SHARE_HDR_T || valcap - GF_SHARE_HDR_T < t->len)
		return 0;
	ts_hex(&t->exporter, hex);
	if ((size_t) snprintf(key, keycap, "t.%s.%u.%llu.%u", hex, (unsigned) t->version,
						  (unsigned long long) t->domain,
						  (unsigned) t->template_id) >= keycap)
		return 0;
	p = ts_scope(val, "GT", &t->exporter, t->version, t->domain);
	p = ts_put(p, t->template_id, 4);
	*p++ = t->options ? 1 : 0;
	p = ts_put(p, t->received_ns, 8);
	if (t->len > 0)
		memcpy(p, t->bytes, t->len);
	return GF_SHARE_HDR_T + t->len;
}

size_t
gf_share_sampling(const gf_sampling_blob *s, char *key, size_t keycap,
				  uint8_t *val, size_t valcap)
{
	char		hex[33];
	char		who[24];
	uint8_t    *p;

	if (s->exporter.family != 4 && s->exporter.family != 6)
		return 0;
	if (valcap < GF_SHARE_LEN_S)
		return 0;
	ts_hex(&s->exporter, hex);
	if (s->has_sampler)
		snprintf(who, sizeof(who), "s%llu", (unsigned long long) s->sampler_id);
	else
		snprintf(who, sizeof(who), "d");
	if ((size_t) snprintf(key, keycap, "s.%s.%u.%llu.%s", hex, (unsigned) s->version,
						  (unsigned long long) s->domain, who) >= keycap)
		return 0;
	p = ts_scope(val, "GS", &s->exporter, s->version, s->domain);
	*p++ = s->has_sampler ? 1 : 0;
	p = ts_put(p, s->sampler_id, 8);
	*p++ = s->has_rate ? 1 : 0;
	p = ts_put(p, s->rate, 8);
	*p++ = s->has_init_time ? 1 : 0;
	(void) ts_put(p, s->init_ms, 8);
	return GF_SHARE_LEN_S;
}

gf_share_kind
gf_share_parse(const uint8_t *val, size_t len, gf_template_blob *t,
			   gf_sampling_blob *s)
{
	const uint8_t *p = val;
	gf_addr		a;
	uint32_t	version;
	uint64_t	domain;
	bool		tpl;

	if (val == NULL || len < 3 + 1 + 16 + 4 + 8 || p[0] != 'G' || p[2] != 1)
		return GF_SHARE_BAD;
	if (p[1] == 'T')
		tpl = true;
	else if (p[1] == 'S')
		tpl = false;
	else
		return GF_SHARE_BAD;
	if (p[3] != 4 && p[3] != 6)
		return GF_SHARE_BAD;
	if (tpl ? len < GF_SHARE_HDR_T : len != GF_SHARE_LEN_S)
		return GF_SHARE_BAD;
	memset(&a, 0, sizeof(a));
	if (p[3] == 4)
		gf_addr_set_v4(&a, p + 4);
	else
		gf_addr_set_v6(&a, p + 4);
	p += 20;
	version = (uint32_t) ts_get(&p, 4);
	domain = ts_get(&p, 8);
	if (tpl)
	{
		memset(t, 0, sizeof(*t));
		t->exporter = a;
		t->version = version;
		t->domain = domain;
		t->template_id = (uint32_t) ts_get(&p, 4);
		t->options = *p++ != 0;
		t->received_ns = ts_get(&p, 8);
		t->bytes = p;
		t->len = len - GF_SHARE_HDR_T;
		return GF_SHARE_TEMPLATE;
	}
	memset(s, 0, sizeof(*s));
	s->exporter = a;
	s->version = version;
	s->domain = domain;
	s->has_sampler = *p++ != 0;
	s->sampler_id = ts_get(&p, 8);
	s->has_rate = *p++ != 0;
	s->rate = ts_get(&p, 8);
	s->has_init_time = *p++ != 0;
	s->init_ms = ts_get(&p, 8);
	return GF_SHARE_SAMPLING;
}
