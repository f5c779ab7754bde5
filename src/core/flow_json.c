/*
 * flow_json.c
 *    One gf_flow as one GoFlow2-style JSON object (see flow_json.h for the
 *    keys and the rules on absent fields).  Written by hand, field by
 *    field: no reflection, no allocation, every append checks the bound.
 */
#include "flow_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* An append-only cursor over the caller's buffer. */
typedef struct fj_out
{
	char	   *buf;
	size_t		cap;			/* bytes usable, NUL included */
	size_t		len;
	bool		overflow;
	bool		first;			/* no member written yet */
} fj_out;

static void
fj_raw(fj_out *o, const char *s, size_t n)
{
	/* Keep one byte for the terminating NUL. */
	if (o->overflow || n >= o->cap - o->len)
	{
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
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
 * A string value.  Every string written here comes from this file (names,
 * formatted addresses and MACs), none from the wire, so none needs escaping.
 */
static void
fj_kv_str(fj_out *o, const char *key, const char *val)
{
	fj_key(o, key);
	fj_raw(o, "\"", 1);
	fj_str(o, val);
	fj_raw(o, "\"", 1);
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
	sub.buf = tmp + n;
	sub.cap = sizeof(tmp) - n;
	sub.len = 0;
	sub.overflow = false;
	sub.first = true;
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

size_t
gf_flow_json(const gf_flow *f, char *buf, size_t buflen)
{
	fj_out		o;

	if (buf == NULL || buflen == 0)
		return 0;
	o.buf = buf;
	o.cap = buflen;
	o.len = 0;
	o.overflow = false;
	o.first = true;

	fj_raw(&o, "{", 1);
	fj_kv_str(&o, "type", gf_flow_type_name(f->type));
	fj_kv_u64(&o, "time_received_ns", f->time_received_ns);
	fj_opt_u64(&o, f, GF_F_SEQUENCE_NUM, "sequence_num", f->sequence_num);
	fj_opt_u64(&o, f, GF_F_SAMPLING_RATE, "sampling_rate", f->sampling_rate);
	fj_opt_addr(&o, "sampler_address", &f->sampler_address);
	fj_opt_u64(&o, f, GF_F_TIME_FLOW_START, "time_flow_start_ns",
			   f->time_flow_start_ns);
	fj_opt_u64(&o, f, GF_F_TIME_FLOW_END, "time_flow_end_ns",
			   f->time_flow_end_ns);
	fj_opt_u64(&o, f, GF_F_BYTES, "bytes", f->bytes);
	fj_opt_u64(&o, f, GF_F_PACKETS, "packets", f->packets);
	fj_opt_addr(&o, "src_addr", &f->src_addr);
	fj_opt_addr(&o, "dst_addr", &f->dst_addr);
	fj_opt_named(&o, f, GF_F_ETYPE, "etype", f->etype,
				 fj_etype_name(f->etype));
	fj_opt_named(&o, f, GF_F_PROTO, "proto", f->proto,
				 fj_proto_name(f->proto));
	fj_opt_u64(&o, f, GF_F_SRC_PORT, "src_port", f->src_port);
	fj_opt_u64(&o, f, GF_F_DST_PORT, "dst_port", f->dst_port);
	fj_opt_u64(&o, f, GF_F_IN_IF, "in_if", f->in_if);
	fj_opt_u64(&o, f, GF_F_OUT_IF, "out_if", f->out_if);
	fj_opt_mac(&o, f, GF_F_SRC_MAC, "src_mac", f->src_mac);
	fj_opt_mac(&o, f, GF_F_DST_MAC, "dst_mac", f->dst_mac);
	fj_opt_u64(&o, f, GF_F_SRC_VLAN, "src_vlan", f->src_vlan);
	fj_opt_u64(&o, f, GF_F_DST_VLAN, "dst_vlan", f->dst_vlan);
	fj_opt_u64(&o, f, GF_F_VLAN_ID, "vlan_id", f->vlan_id);
	fj_opt_u64(&o, f, GF_F_IP_TOS, "ip_tos", f->ip_tos);
	fj_opt_u64(&o, f, GF_F_FORWARDING_STATUS, "forwarding_status",
			   f->forwarding_status);
	fj_opt_u64(&o, f, GF_F_IP_TTL, "ip_ttl", f->ip_ttl);
	fj_opt_u64(&o, f, GF_F_IP_FLAGS, "ip_flags", f->ip_flags);
	fj_opt_u64(&o, f, GF_F_TCP_FLAGS, "tcp_flags", f->tcp_flags);
	fj_opt_u64(&o, f, GF_F_ICMP_TYPE, "icmp_type", f->icmp_type);
	fj_opt_u64(&o, f, GF_F_ICMP_CODE, "icmp_code", f->icmp_code);
	fj_opt_u64(&o, f, GF_F_IPV6_FLOW_LABEL, "ipv6_flow_label",
			   f->ipv6_flow_label);
	fj_opt_u64(&o, f, GF_F_FRAGMENT_ID, "fragment_id", f->fragment_id);
	fj_opt_u64(&o, f, GF_F_FRAGMENT_OFFSET, "fragment_offset",
			   f->fragment_offset);
	fj_opt_u64(&o, f, GF_F_SRC_AS, "src_as", f->src_as);
	fj_opt_u64(&o, f, GF_F_DST_AS, "dst_as", f->dst_as);
	fj_opt_addr(&o, "next_hop", &f->next_hop);
	fj_opt_u64(&o, f, GF_F_NEXT_HOP_AS, "next_hop_as", f->next_hop_as);
	fj_opt_net(&o, f, GF_F_SRC_NET, "src_net", &f->src_addr, f->src_net_len);
	fj_opt_net(&o, f, GF_F_DST_NET, "dst_net", &f->dst_addr, f->dst_net_len);
	fj_opt_addr(&o, "bgp_next_hop", &f->bgp_next_hop);
	fj_opt_array(&o, "bgp_communities", f->bgp_communities,
				 f->n_communities, GF_MAX_COMMUNITIES);
	fj_opt_array(&o, "as_path", f->as_path, f->n_as_path, GF_MAX_AS_PATH);
	fj_opt_array(&o, "mpls_label", f->mpls_label, f->n_mpls, GF_MAX_MPLS);
	fj_opt_u64(&o, f, GF_F_OBSERVATION_DOMAIN_ID, "observation_domain_id",
			   f->observation_domain_id);
	fj_opt_u64(&o, f, GF_F_OBSERVATION_POINT_ID, "observation_point_id",
			   f->observation_point_id);
	fj_opt_u64(&o, f, GF_F_IN_IF_FORMAT, "in_if_format", f->in_if_format);
	fj_opt_u64(&o, f, GF_F_OUT_IF_FORMAT, "out_if_format", f->out_if_format);
	fj_opt_u64(&o, f, GF_F_VXLAN_VNI, "vxlan_vni", f->vxlan_vni);
	fj_raw(&o, "}", 1);

	if (o.overflow)
	{
		buf[0] = '\0';
		return 0;
	}
	buf[o.len] = '\0';
	return o.len;
}
