/*
 * flow_extra.c
 *    Custom mapped values written as JSON members and protobuf fields
 *    (flow_extra.h).  Runs only for flows that carry such values; the
 *    encoders test n_extra and skip this otherwise.
 */
#include "flow_extra.h"

#include <stdbool.h>
#include <string.h>

#include "flow_mapping.h"
#include "iface_text.h"

typedef struct fx_out
{
	char	   *buf;
	size_t		room;
	size_t		len;
} fx_out;

static void
fx_raw(fx_out *o, const char *s, size_t n)
{
	if (o->buf != NULL && o->len + n <= o->room)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Whether entry i lies inside extra_buf. */
static bool
fx_valid(const gf_flow *f, int i)
{
	const gf_flow_extra *x = &f->extra[i];

	return (size_t) x->off + x->name_len + x->len <= GF_EXTRA_BYTES &&
		x->type <= GF_MAP_BYTES && (x->type != GF_MAP_VARINT || x->len == 8);
}

static int
fx_count(const gf_flow *f)
{
	return f->n_extra <= GF_MAX_EXTRA ? f->n_extra : GF_MAX_EXTRA;
}

static void
fx_value(fx_out *o, const gf_flow *f, const gf_flow_extra *x)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *v = &f->extra_buf[x->off + x->name_len];
	char		tmp[GF_EXTRA_BYTES + 1];
	size_t		i;

	if (x->type == GF_MAP_VARINT)
	{
		uint64_t	u;
		char		num[24];
		int			n = 0;

		memcpy(&u, v, 8);
		do
		{
			num[sizeof(num) - 1 - n++] = (char) ('0' + u % 10);
			u /= 10;
		} while (u > 0);
		fx_raw(o, num + sizeof(num) - n, (size_t) n);
		return;
	}
	fx_raw(o, "\"", 1);
	if (x->type == GF_MAP_BYTES)
		for (i = 0; i < x->len; i++)
		{
			char		h[2] = {hex[v[i] >> 4], hex[v[i] & 15]};

			fx_raw(o, h, 2);
		}
	else
	{
		size_t		n = gf_if_text_copy(tmp, sizeof(tmp), v, x->len);

		for (i = 0; i < n; i++)
		{
			if (tmp[i] == '"' || tmp[i] == '\\')
				fx_raw(o, "\\", 1);
			fx_raw(o, &tmp[i], 1);
		}
	}
	fx_raw(o, "\"", 1);
}

size_t
gf_flow_extra_json(const gf_flow *f, char *buf, size_t buflen)
{
	fx_out		o = {buf, buflen, 0};
	int			n = fx_count(f);
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		const gf_flow_extra *x = &f->extra[i];
		bool		seen = false;

		if (!fx_valid(f, i))
			continue;
		/* An array's values are written with its first one. */
		for (j = 0; j < i && x->array; j++)
			if (fx_valid(f, j) && f->extra[j].custom == x->custom && f->extra[j].array)
				seen = true;
		if (seen)
			continue;
		if (o.len > 0)
			fx_raw(&o, ",", 1);
		fx_raw(&o, "\"", 1);
		/* Names are letters, digits and '_' (checked by the parser)... */
		for (j = 0; j < x->name_len; j++)
		{
			char		c = (char) f->extra_buf[x->off + j];

			/* ...unless the record is not the parser's: keep JSON valid. */
			if (c == '"' || c == '\\' || (unsigned char) c < 0x20 || (unsigned char) c >= 0x7f)
				c = '_';
			fx_raw(&o, &c, 1);
		}
		fx_raw(&o, "\":", 2);
		if (!x->array)
		{
			fx_value(&o, f, x);
			continue;
		}
		fx_raw(&o, "[", 1);
		fx_value(&o, f, x);
		for (j = i + 1; j < n; j++)
			if (fx_valid(f, j) && f->extra[j].custom == x->custom && f->extra[j].array)
			{
				fx_raw(&o, ",", 1);
				fx_value(&o, f, &f->extra[j]);
			}
		fx_raw(&o, "]", 1);
	}
	return o.len;
}

static size_t
fx_varint(uint8_t *p, uint64_t v)
{
	size_t		n = 0;

	do
	{
		uint8_t		b = (uint8_t) (v & 0x7f);

		v >>= 7;
		if (v)
			b |= 0x80;
		if (p)
			p[n] = b;
		n++;
	} while (v);
	return n;
}

size_t
gf_flow_extra_pb(const gf_flow *f, uint8_t *buf)
{
	int			n = fx_count(f);
	size_t		len = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		const gf_flow_extra *x = &f->extra[i];
		const uint8_t *v = &f->extra_buf[x->off + x->name_len];
		uint32_t	index = x->pb_index & 0x1fffffff;

		if (!fx_valid(f, i) || index == 0)
			continue;
		if (x->type == GF_MAP_VARINT)
		{
			uint64_t	u;

			memcpy(&u, v, 8);
			len += fx_varint(buf ? buf + len : NULL, (uint64_t) index << 3);
			len += fx_varint(buf ? buf + len : NULL, u);
		}
		else
		{
			len += fx_varint(buf ? buf + len : NULL, ((uint64_t) index << 3) | 2);
			len += fx_varint(buf ? buf + len : NULL, x->len);
			if (buf)
				memcpy(buf + len, v, x->len);
			len += x->len;
		}
	}
	return len;
}
