/*
 * flow_json.c
 *    One gf_flow as one GoFlow2-style JSON object (see flow_json.h for the
 *    keys and the rules on absent fields), with the flow's context from a
 *    snapshot when one is given.  Written by hand, field by field: no
 *    reflection, no allocation, every append checks the bound.  The same
 *    writer run without a buffer counts the bytes (gf_flow_json_ctx_len).
 */
#include "flow_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flow_enc_ctx.h"
#include "flow_extra.h"

/* An append-only cursor over the caller's buffer. */
typedef struct fj_out
{
	char	   *buf;			/* NULL: only count */
	size_t		room;			/* bytes left before the NUL's place */
	size_t		len;
	bool		overflow;
	bool		first;			/* no member written yet */
} fj_out;

static void
fj_init(fj_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	/* Keep one byte for the terminating NUL; counting never copies. */
	o->room = buf ? cap - 1 : 0;
	o->len = 0;
	o->overflow = false;
	o->first = true;
}

/*
 * What does not fit: counted when only counting, else the overflow that
 * makes the whole object fail.  room stays 0 either way, so every later
 * append comes here too.
 */
static void
fj_raw_slow(fj_out *o, size_t n)
{
	if (o->buf == NULL)
		o->len += n;
	else
	{
		o->overflow = true;
		o->room = 0;
	}
}

/* Kept small so that the compiler inlines it at every member. */
static inline void
fj_raw(fj_out *o, const char *s, size_t n)
{
	/* After an overflow room is 0: only empty appends pass, harmlessly. */
	if (n <= o->room && o->buf != NULL)
	{
		memcpy(o->buf + o->len, s, n);
		o->len += n;
		o->room -= n;
		return;
	}
	fj_raw_slow(o, n);
}

static void
fj_str(fj_out *o, const char *s)
{
	fj_raw(o, s, strlen(s));
}

static void
fj_u64(fj_out *o, uint64_t v)
{
	char		tmp[24];
	size_t		i = sizeof(tmp);

	do
	{
		tmp[--i] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	fj_raw(o, tmp + i, sizeof(tmp) - i);
}

/* Start a member: the comma when needed, then "key":. */
static void
fj_key(fj_out *o, const char *key)
{
	if (!o->first)
		fj_raw(o, ",", 1);
	o->first = false;
	fj_raw(o, "\"", 1);
	fj_str(o, key);
	fj_raw(o, "\":", 2);
}

/*
 * A string value.  Every string written here comes from the core itself
 * (names of types, rate sources and boundaries, formatted addresses and
 * MACs), none from the wire or a snapshot, so none needs escaping.
 */
static void
fj_kv_str(fj_out *o, const char *key, const char *val)
{
	fj_key(o, key);
	fj_raw(o, "\"", 1);
	fj_str(o, val);
	fj_raw(o, "\"", 1);
}

/*
 * A string from outside this file (a context snapshot's names, a country
 * code), escaped: '"', '\\' and the control characters U+0000 to U+001F
 * as JSON escapes, well-formed UTF-8 as it is, and each maximal subpart
 * of an ill-formed sequence as one \ufffd (see flow_json.h).
 */
static void
fj_esc(fj_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;
	size_t		run = 0;		/* start of bytes copied as they are */

	fj_raw(o, "\"", 1);
	while (i < n)
	{
		unsigned char c = p[i];
		char		e[6];
		size_t		elen = 0;
		size_t		skip = 1;

		if (c >= 0x80)
		{
			size_t		bad;
			size_t		len = gf_fec_utf8_seq(p + i, n - i, &bad);

			if (len > 0)
			{
				i += len;
				continue;
			}
			memcpy(e, "\\ufffd", 6);
			elen = 6;
			skip = bad;
		}
		else if (c == '"' || c == '\\')
		{
			e[0] = '\\';
			e[1] = (char) c;
			elen = 2;
		}
		else if (c < 0x20)
		{
			e[0] = '\\';
			switch (c)
			{
				case '\b':
					e[1] = 'b';
					elen = 2;
					break;
				case '\f':
					e[1] = 'f';
					elen = 2;
					break;
				case '\n':
					e[1] = 'n';
					elen = 2;
					break;
				case '\r':
					e[1] = 'r';
					elen = 2;
					break;
				case '\t':
					e[1] = 't';
					elen = 2;
					break;
				default:
					memcpy(e + 1, "u00", 3);
					e[4] = hex[c >> 4];
					e[5] = hex[c & 0xf];
					elen = 6;
					break;
			}
		}
		else
		{
			i++;
			continue;
		}
		fj_raw(o, s + run, i - run);
		fj_raw(o, e, elen);
		i += skip;
		run = i;
	}
	fj_raw(o, s + run, i - run);
	fj_raw(o, "\"", 1);
}

/* An escaped string member, omitted when val is NULL. */
static void
fj_opt_esc(fj_out *o, const char *key, const char *val)
{
	if (val == NULL)
		return;
	fj_key(o, key);
	fj_esc(o, val, strlen(val));
}

/*
 * A context object's JSON text (gf_fec_object_or_null checked its shape),
 * from its '{' to its '}'.  Line breaks become spaces so that the object
 * stays on one line (JSON lines): in JSON text they can only be
 * whitespace between tokens, where a space means the same.
 */
static void
fj_opt_object(fj_out *o, const char *key, const char *json)
{
	const char *p;
	const char *end;

	if (json == NULL)
		return;
	p = strchr(json, '{');
	end = strrchr(json, '}') + 1;
	fj_key(o, key);
	while (p < end)
	{
		const char *brk = p;

		while (brk < end && *brk != '\n' && *brk != '\r')
			brk++;
		fj_raw(o, p, (size_t) (brk - p));
		if (brk < end)
			fj_raw(o, " ", 1);
		p = brk + 1;
	}
}

/* Open a nested object as the value of key; fj_end closes it. */
static void
fj_begin(fj_out *o, const char *key)
{
	fj_key(o, key);
	fj_raw(o, "{", 1);
	o->first = true;
}

static void
fj_end(fj_out *o)
{
	fj_raw(o, "}", 1);
	/* The enclosing object now has a member: the one just closed. */
	o->first = false;
}

static void
fj_kv_u64(fj_out *o, const char *key, uint64_t val)
{
	fj_key(o, key);
	fj_u64(o, val);
}

/* A numeric member, written only when its presence bit is set. */
static void
fj_opt_u64(fj_out *o, const gf_flow *f, gf_field fld, const char *key,
		   uint64_t val)
{
	if (GF_HAS(f, fld))
		fj_kv_u64(o, key, val);
}

static void
fj_opt_addr(fj_out *o, const char *key, const gf_addr *a)
{
	char		tmp[64];

	if (a->family != 4 && a->family != 6)
		return;
	gf_addr_format(a, tmp, sizeof(tmp));
	fj_kv_str(o, key, tmp);
}

static void
fj_opt_mac(fj_out *o, const gf_flow *f, gf_field fld, const char *key,
		   const uint8_t *mac)
{
	static const char hex[] = "0123456789abcdef";
	char		tmp[18];
	int			i;

	if (!GF_HAS(f, fld))
		return;
	for (i = 0; i < 6; i++)
	{
		tmp[i * 3] = hex[mac[i] >> 4];
		tmp[i * 3 + 1] = hex[mac[i] & 0xf];
		tmp[i * 3 + 2] = (i < 5) ? ':' : '\0';
	}
	fj_kv_str(o, key, tmp);
}

/*
 * The prefix that holds addr with the given length, as "a.b.c.d/len",
 * with the host bits cleared as GoFlow2 does.  A length beyond the
 * family's width is clamped to it.
 */
static void
fj_opt_net(fj_out *o, const gf_flow *f, gf_field fld, const char *key,
		   const gf_addr *addr, uint8_t plen)
{
	gf_addr		net;
	char		tmp[64];
	unsigned	width;
	unsigned	i;
	size_t		n;
	fj_out		sub;

	if (!GF_HAS(f, fld) || (addr->family != 4 && addr->family != 6))
		return;
	width = addr->family == 4 ? 32 : 128;
	if (plen > width)
		plen = (uint8_t) width;
	net = *addr;
	for (i = 0; i < width / 8; i++)
	{
		unsigned	bit0 = i * 8;

		if (bit0 >= plen)
			net.bytes[i] = 0;
		else if (bit0 + 8 > plen)
			net.bytes[i] &= (uint8_t) (0xff << (8 - (plen - bit0)));
	}
	gf_addr_format(&net, tmp, sizeof(tmp));
	n = strlen(tmp);
	fj_init(&sub, tmp + n, sizeof(tmp) - n);
	fj_raw(&sub, "/", 1);
	fj_u64(&sub, plen);
	tmp[n + sub.len] = '\0';
	fj_kv_str(o, key, tmp);
}

static void
fj_opt_array(fj_out *o, const char *key, const uint32_t *vals, unsigned n,
			 unsigned max)
{
	unsigned	i;

	if (n == 0)
		return;
	if (n > max)
		n = max;
	fj_key(o, key);
	fj_raw(o, "[", 1);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			fj_raw(o, ",", 1);
		fj_u64(o, vals[i]);
	}
	fj_raw(o, "]", 1);
}

/* GoFlow2's names for ethertypes and protocols; others stay numbers. */
static const char *
fj_etype_name(uint32_t etype)
{
	switch (etype)
	{
		case 0x0800:
			return "IPv4";
		case 0x86dd:
			return "IPv6";
		case 0x0806:
			return "ARP";
		default:
			return NULL;
	}
}

static const char *
fj_proto_name(uint32_t proto)
{
	switch (proto)
	{
		case 1:
			return "ICMP";
		case 6:
			return "TCP";
		case 17:
			return "UDP";
		case 58:
			return "ICMPv6";
		case 132:
			return "SCTP";
		default:
			return NULL;
	}
}

static void
fj_opt_named(fj_out *o, const gf_flow *f, gf_field fld, const char *key,
			 uint32_t val, const char *name)
{
	if (!GF_HAS(f, fld))
		return;
	if (name)
		fj_kv_str(o, key, name);
	else
		fj_kv_u64(o, key, val);
}

/* A member whose value is one of this file's names; NULL: omitted. */
static void
fj_opt_str(fj_out *o, const char *key, const char *val)
{
	if (val)
		fj_kv_str(o, key, val);
}

/* A country code: the bytes up to the NUL, at most two; "" is omitted. */
static void
fj_opt_country(fj_out *o, const char *key, const char code[3])
{
	size_t		n = 0;

	while (n < 2 && code[n] != '\0')
		n++;
	if (n == 0)
		return;
	fj_key(o, key);
	fj_esc(o, code, n);
}

static void
fj_iface(fj_out *o, const char *key, const gf_fec_iface *i)
{
	if (!i->found)
		return;
	fj_begin(o, key);
	fj_opt_esc(o, "name", i->name);
	fj_opt_esc(o, "description", i->description);
	if (i->has_speed)
		fj_kv_u64(o, "speed", i->speed);
	fj_opt_str(o, "boundary", i->boundary);
	fj_opt_esc(o, "provider", i->provider);
	fj_opt_object(o, "context", i->context);
	fj_end(o);
}

/* The "context" member (see flow_json.h), omitted when nothing matched. */
static void
fj_context(fj_out *o, const gf_fec_view *v)
{
	if (!v->any)
		return;
	fj_begin(o, "context");
	fj_opt_esc(o, "source_group", v->src_group);
	fj_opt_esc(o, "destination_group", v->dst_group);
	fj_opt_object(o, "source", v->src_context);
	fj_opt_object(o, "destination", v->dst_context);
	if (v->device_found)
	{
		fj_begin(o, "device");
		fj_opt_esc(o, "name", v->device_name);
		fj_opt_esc(o, "site", v->device_site);
		fj_opt_esc(o, "role", v->device_role);
		fj_opt_object(o, "context", v->device_context);
		fj_end(o);
	}
	fj_iface(o, "in_interface", &v->in_if);
	fj_iface(o, "out_interface", &v->out_if);
	fj_end(o);
}

/* Custom mapped values (flow_extra.h), as members of the flow itself. */
static void
fj_extra(fj_out *o, const gf_flow *f)
{
	size_t		n = gf_flow_extra_json(f, NULL, 0);

	if (n == 0)
		return;
	fj_raw(o, ",", 1);
	if (o->buf != NULL && n <= o->room)
	{
		(void) gf_flow_extra_json(f, o->buf + o->len, n);
		o->len += n;
		o->room -= n;
	}
	else
		fj_raw_slow(o, n);
}

static void
fj_flow(fj_out *o, const gf_flow *f, const gf_ctx_snapshot *ctx)
{
	gf_fec_view v;

	fj_raw(o, "{", 1);
	fj_kv_str(o, "type", gf_flow_type_name(f->type));
	fj_kv_u64(o, "time_received_ns", f->time_received_ns);
	fj_opt_u64(o, f, GF_F_SEQUENCE_NUM, "sequence_num", f->sequence_num);
	fj_opt_u64(o, f, GF_F_SAMPLING_RATE, "sampling_rate", f->sampling_rate);
	fj_opt_str(o, "sampling_rate_source",
			   gf_rate_source_name((gf_rate_source) f->sampling_rate_source));
	fj_opt_addr(o, "sampler_address", &f->sampler_address);
	fj_opt_u64(o, f, GF_F_TIME_FLOW_START, "time_flow_start_ns",
			   f->time_flow_start_ns);
	fj_opt_u64(o, f, GF_F_TIME_FLOW_END, "time_flow_end_ns",
			   f->time_flow_end_ns);
	fj_opt_u64(o, f, GF_F_BYTES, "bytes", f->bytes);
	fj_opt_u64(o, f, GF_F_PACKETS, "packets", f->packets);
	fj_opt_addr(o, "src_addr", &f->src_addr);
	fj_opt_addr(o, "dst_addr", &f->dst_addr);
	fj_opt_named(o, f, GF_F_ETYPE, "etype", f->etype,
				 fj_etype_name(f->etype));
	fj_opt_named(o, f, GF_F_PROTO, "proto", f->proto,
				 fj_proto_name(f->proto));
	fj_opt_u64(o, f, GF_F_SRC_PORT, "src_port", f->src_port);
	fj_opt_u64(o, f, GF_F_DST_PORT, "dst_port", f->dst_port);
	fj_opt_u64(o, f, GF_F_IN_IF, "in_if", f->in_if);
	fj_opt_u64(o, f, GF_F_OUT_IF, "out_if", f->out_if);
	fj_opt_mac(o, f, GF_F_SRC_MAC, "src_mac", f->src_mac);
	fj_opt_mac(o, f, GF_F_DST_MAC, "dst_mac", f->dst_mac);
	fj_opt_u64(o, f, GF_F_SRC_VLAN, "src_vlan", f->src_vlan);
	fj_opt_u64(o, f, GF_F_DST_VLAN, "dst_vlan", f->dst_vlan);
	fj_opt_u64(o, f, GF_F_VLAN_ID, "vlan_id", f->vlan_id);
	fj_opt_u64(o, f, GF_F_IP_TOS, "ip_tos", f->ip_tos);
	fj_opt_u64(o, f, GF_F_FORWARDING_STATUS, "forwarding_status",
			   f->forwarding_status);
	fj_opt_u64(o, f, GF_F_IP_TTL, "ip_ttl", f->ip_ttl);
	fj_opt_u64(o, f, GF_F_IP_FLAGS, "ip_flags", f->ip_flags);
	fj_opt_u64(o, f, GF_F_TCP_FLAGS, "tcp_flags", f->tcp_flags);
	fj_opt_u64(o, f, GF_F_ICMP_TYPE, "icmp_type", f->icmp_type);
	fj_opt_u64(o, f, GF_F_ICMP_CODE, "icmp_code", f->icmp_code);
	fj_opt_u64(o, f, GF_F_IPV6_FLOW_LABEL, "ipv6_flow_label",
			   f->ipv6_flow_label);
	fj_opt_u64(o, f, GF_F_FRAGMENT_ID, "fragment_id", f->fragment_id);
	fj_opt_u64(o, f, GF_F_FRAGMENT_OFFSET, "fragment_offset",
			   f->fragment_offset);
	fj_opt_u64(o, f, GF_F_SRC_AS, "src_as", f->src_as);
	fj_opt_u64(o, f, GF_F_DST_AS, "dst_as", f->dst_as);
	fj_opt_addr(o, "next_hop", &f->next_hop);
	fj_opt_u64(o, f, GF_F_NEXT_HOP_AS, "next_hop_as", f->next_hop_as);
	fj_opt_net(o, f, GF_F_SRC_NET, "src_net", &f->src_addr, f->src_net_len);
	fj_opt_net(o, f, GF_F_DST_NET, "dst_net", &f->dst_addr, f->dst_net_len);
	fj_opt_addr(o, "bgp_next_hop", &f->bgp_next_hop);
	fj_opt_array(o, "bgp_communities", f->bgp_communities,
				 f->n_communities, GF_MAX_COMMUNITIES);
	fj_opt_array(o, "as_path", f->as_path, f->n_as_path, GF_MAX_AS_PATH);
	fj_opt_array(o, "mpls_label", f->mpls_label, f->n_mpls, GF_MAX_MPLS);
	fj_opt_u64(o, f, GF_F_OBSERVATION_DOMAIN_ID, "observation_domain_id",
			   f->observation_domain_id);
	fj_opt_u64(o, f, GF_F_OBSERVATION_POINT_ID, "observation_point_id",
			   f->observation_point_id);
	fj_opt_u64(o, f, GF_F_IN_IF_FORMAT, "in_if_format", f->in_if_format);
	fj_opt_u64(o, f, GF_F_OUT_IF_FORMAT, "out_if_format", f->out_if_format);
	fj_opt_u64(o, f, GF_F_VXLAN_VNI, "vxlan_vni", f->vxlan_vni);
	fj_opt_u64(o, f, GF_F_FW_EVENT, "fw_event", f->fw_event);
	fj_opt_country(o, "src_country", f->src_country);
	fj_opt_country(o, "dst_country", f->dst_country);
	gf_fec_resolve(f, ctx, &v);
	fj_context(o, &v);
	if (f->n_extra > 0)
		fj_extra(o, f);
	fj_raw(o, "}", 1);
}

size_t
gf_flow_json_ctx(const gf_flow *f, const gf_ctx_snapshot *ctx, char *buf,
				 size_t buflen)
{
	fj_out		o;

	if (buf == NULL || buflen == 0)
		return 0;
	fj_init(&o, buf, buflen);
	fj_flow(&o, f, ctx);
	if (o.overflow)
	{
		buf[0] = '\0';
		return 0;
	}
	buf[o.len] = '\0';
	return o.len;
}

size_t
gf_flow_json_ctx_len(const gf_flow *f, const gf_ctx_snapshot *ctx)
{
	fj_out		o;

	fj_init(&o, NULL, 0);
	fj_flow(&o, f, ctx);
	return o.len;
}

size_t
gf_flow_json(const gf_flow *f, char *buf, size_t buflen)
{
	return gf_flow_json_ctx(f, NULL, buf, buflen);
}
