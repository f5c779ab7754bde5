/*
 * netflow_plan.c
 *    Compiling a NetFlow v9 / IPFIX data template into a decode plan, and
 *    running a plan over one record (netflow_plan.h says what a plan is).
 *
 *    np_classify is gf_nf_rec_field (netflow_fields.c) read at compile
 *    time: for an element, a length and a version it says which store
 *    the field walk would make, so that each case below matches a case
 *    there.  The field walk stays the reference: any change to the
 *    mapping of an element goes into both, and the differential test and
 *    fuzz target catch a mismatch.
 *
 *    Plain stores -- an integer into a flow member or a kept value, a
 *    MAC -- overwrite their destination whole and read nothing, so only
 *    the last one of a destination counts: earlier ones are dropped at
 *    compile time (a template of 500 copies of one element is cheap to
 *    send and must not cost 500 steps per record), and the rest, each
 *    with its own destination, may run in any order.  They are grouped
 *    by kind, so that a record runs a few tight loops instead of a
 *    switch per field, and their presence bits are set with one OR.
 *    The stores whose result depends on what came before (an address of
 *    the other family, a time of lower precision, MPLS entries) form the
 *    last group and keep the template's order, so they see what the
 *    field walk sees; they touch nothing a plain store touches.
 *
 *    Integers are read with one unaligned 8-byte load shifted down to
 *    the field's width, which needs 8 readable bytes from the field's
 *    start: records far enough from the end of their set take that path,
 *    the last ones read byte by byte.
 */
#include "netflow_plan.h"

#include <stddef.h>
#include <string.h>

#include "ipfix_ie.h"
#include "netflow_rec_ops.h"

/*
 * Step kinds.  The first seven are plain stores, one group each; the
 * others form the ordered group.  An address field is a plain store when
 * it is the only one of its member in the template: the member is then
 * still empty when it comes, so the zero rule of gf_nf_rec_addr has
 * nothing to decide.  NP_ICMP_TC only lives in np_classify: it becomes
 * two plain stores.
 */
enum
{
	NP_F32,						/* integer into a uint32_t flow member */
	NP_F64,						/* into a uint64_t flow member */
	NP_F8,						/* into a uint8_t flow member */
	NP_AUX,						/* into a kept value (gf_nf_aux) */
	NP_MAC,						/* 6 bytes into a flow member */
	NP_ADDR4_ONLY,				/* the only address field of its member */
	NP_ADDR6_ONLY,
	NP_ADDR4,					/* gf_addr flow member, 4 bytes */
	NP_ADDR6,					/* gf_addr flow member, 16 bytes */
	NP_TIME,					/* absolute time (gf_nf_rec_time_field) */
	NP_FIELD,					/* gf_nf_rec_field itself */
	NP_ICMP_TC					/* icmpTypeCode: type and code */
};

#define NP_GROUP_ORDERED	(GF_NF_PLAN_GROUPS - 1)
#define NP_GROUP(kind)		((kind) < NP_GROUP_ORDERED ? (kind) : NP_GROUP_ORDERED)
_Static_assert(NP_ADDR4 == NP_GROUP_ORDERED, "one group per plain kind");

/*
 * What a plain store overwrites, for dropping earlier ones: presence
 * bits of flow members (0..63), then kept values (64 + gf_nf_aux).
 */
#define NP_KEY_AUX		64
#define NP_KEYS			(NP_KEY_AUX + GF_NF_AUX__COUNT)

#define NP_TO_F32(member, fld) \
	do { \
		_Static_assert(sizeof(((gf_flow *) 0)->member) == 4, #member); \
		s->kind = NP_F32; \
		s->dst = offsetof(gf_flow, member); \
		s->bit = (fld); \
	} while (0)
#define NP_TO_F64(member, fld) \
	do { \
		_Static_assert(sizeof(((gf_flow *) 0)->member) == 8, #member); \
		s->kind = NP_F64; \
		s->dst = offsetof(gf_flow, member); \
		s->bit = (fld); \
	} while (0)
#define NP_TO_F8(member, fld) \
	do { \
		_Static_assert(sizeof(((gf_flow *) 0)->member) == 1, #member); \
		s->kind = NP_F8; \
		s->dst = offsetof(gf_flow, member); \
		s->bit = (fld); \
	} while (0)
#define NP_TO_AUX(k) \
	do { \
		s->kind = NP_AUX; \
		s->bit = (k); \
	} while (0)
#define NP_TO_ADDR(member, kind_) \
	do { \
		s->kind = (kind_); \
		s->dst = offsetof(gf_flow, member); \
	} while (0)
#define NP_TO_MAC(member, fld) \
	do { \
		_Static_assert(sizeof(((gf_flow *) 0)->member) == 6, #member); \
		s->kind = NP_MAC; \
		s->dst = offsetof(gf_flow, member); \
		s->bit = (fld); \
	} while (0)

/*
 * The step for one IANA field of len bytes in a record of the given
 * version; false when the field walk would store nothing.  Cases in the
 * order of gf_nf_rec_field.
 */
static bool
np_classify(uint16_t id, uint16_t len, uint8_t version, gf_nf_step *s)
{
	bool		is_int = len >= 1 && len <= 8;

	memset(s, 0, sizeof(*s));
	s->len = len;
	switch (id)
	{
		case GF_IE_DATA_LINK_FRAME_SECTION:
			s->kind = NP_FIELD;
			s->dst = id;
			return true;
		case GF_IE_DATA_LINK_FRAME_SIZE:
			if (!is_int)
				return false;
			NP_TO_AUX(GF_NF_FRAME_SIZE);
			return true;
		case GF_IE_SOURCE_IPV4_ADDRESS:
			if (len != 4)
				return false;
			NP_TO_ADDR(src_addr, NP_ADDR4);
			return true;
		case GF_IE_DESTINATION_IPV4_ADDRESS:
			if (len != 4)
				return false;
			NP_TO_ADDR(dst_addr, NP_ADDR4);
			return true;
		case GF_IE_IP_NEXT_HOP_IPV4_ADDRESS:
			if (len != 4)
				return false;
			NP_TO_ADDR(next_hop, NP_ADDR4);
			return true;
		case GF_IE_BGP_NEXT_HOP_IPV4_ADDRESS:
			if (len != 4)
				return false;
			NP_TO_ADDR(bgp_next_hop, NP_ADDR4);
			return true;
		case GF_IE_SOURCE_IPV6_ADDRESS:
			if (len != 16)
				return false;
			NP_TO_ADDR(src_addr, NP_ADDR6);
			return true;
		case GF_IE_DESTINATION_IPV6_ADDRESS:
			if (len != 16)
				return false;
			NP_TO_ADDR(dst_addr, NP_ADDR6);
			return true;
		case GF_IE_IP_NEXT_HOP_IPV6_ADDRESS:
			if (len != 16)
				return false;
			NP_TO_ADDR(next_hop, NP_ADDR6);
			return true;
		case GF_IE_BGP_NEXT_HOP_IPV6_ADDRESS:
			if (len != 16)
				return false;
			NP_TO_ADDR(bgp_next_hop, NP_ADDR6);
			return true;
		case GF_IE_SOURCE_MAC_ADDRESS:
			if (len != 6)
				return false;
			NP_TO_MAC(src_mac, GF_F_SRC_MAC);
			return true;
		case GF_IE_DESTINATION_MAC_ADDRESS:
			if (len != 6)
				return false;
			NP_TO_MAC(dst_mac, GF_F_DST_MAC);
			return true;
		case GF_IE_POST_DESTINATION_MAC_ADDRESS:
		case GF_IE_POST_SOURCE_MAC_ADDRESS:
			if (len != 6 || version != 9)
				return false;
			s->kind = NP_FIELD;
			s->dst = id;
			return true;
		case GF_IE_MPLS_TOP_LABEL_STACK_SECTION:
		case GF_IE_MPLS_LABEL_STACK_SECTION2:
		case GF_IE_MPLS_LABEL_STACK_SECTION3:
		case GF_IE_MPLS_LABEL_STACK_SECTION4:
		case GF_IE_MPLS_LABEL_STACK_SECTION5:
		case GF_IE_MPLS_LABEL_STACK_SECTION6:
		case GF_IE_MPLS_LABEL_STACK_SECTION7:
		case GF_IE_MPLS_LABEL_STACK_SECTION8:
		case GF_IE_MPLS_LABEL_STACK_SECTION9:
		case GF_IE_MPLS_LABEL_STACK_SECTION10:
			if (len != 3)
				return false;
			s->kind = NP_FIELD;
			s->dst = id;
			return true;
	}

	if (!is_int)
		return false;

	switch (id)
	{
		case GF_IE_OCTET_DELTA_COUNT:
			NP_TO_F64(bytes, GF_F_BYTES);
			return true;
		case GF_IE_PACKET_DELTA_COUNT:
			NP_TO_F64(packets, GF_F_PACKETS);
			return true;
		case GF_IE_POST_OCTET_DELTA_COUNT:
			if (version != 9)
				return false;
			NP_TO_AUX(GF_NF_OUT_BYTES);
			return true;
		case GF_IE_POST_PACKET_DELTA_COUNT:
			if (version != 9)
				return false;
			NP_TO_AUX(GF_NF_OUT_PKTS);
			return true;
		case GF_IE_OCTET_TOTAL_COUNT:
			NP_TO_AUX(GF_NF_TOTAL_BYTES);
			return true;
		case GF_IE_PACKET_TOTAL_COUNT:
			NP_TO_AUX(GF_NF_TOTAL_PKTS);
			return true;
		case GF_IE_FIREWALL_EVENT:
			NP_TO_F32(fw_event, GF_F_FW_EVENT);
			return true;
		case GF_IE_INITIATOR_OCTETS:
			NP_TO_AUX(GF_NF_INIT_BYTES);
			return true;
		case GF_IE_RESPONDER_OCTETS:
			NP_TO_AUX(GF_NF_RESP_BYTES);
			return true;
		case GF_IE_INITIATOR_PACKETS:
			NP_TO_AUX(GF_NF_INIT_PKTS);
			return true;
		case GF_IE_RESPONDER_PACKETS:
			NP_TO_AUX(GF_NF_RESP_PKTS);
			return true;
		case GF_IE_PROTOCOL_IDENTIFIER:
			NP_TO_F32(proto, GF_F_PROTO);
			return true;
		case GF_IE_IP_CLASS_OF_SERVICE:
			NP_TO_F32(ip_tos, GF_F_IP_TOS);
			return true;
		case GF_IE_IP_TTL:
			NP_TO_F32(ip_ttl, GF_F_IP_TTL);
			return true;
		case GF_IE_FRAGMENT_FLAGS:
			NP_TO_F32(ip_flags, GF_F_IP_FLAGS);
			return true;
		case GF_IE_FRAGMENT_IDENTIFICATION:
			NP_TO_F32(fragment_id, GF_F_FRAGMENT_ID);
			return true;
		case GF_IE_FRAGMENT_OFFSET:
			NP_TO_F32(fragment_offset, GF_F_FRAGMENT_OFFSET);
			return true;
		case GF_IE_FLOW_LABEL_IPV6:
			NP_TO_F32(ipv6_flow_label, GF_F_IPV6_FLOW_LABEL);
			return true;
		case GF_IE_ETHERNET_TYPE:
			NP_TO_F32(etype, GF_F_ETYPE);
			return true;
		case GF_IE_IP_VERSION:
			NP_TO_AUX(GF_NF_IP_VERSION);
			return true;
		case GF_IE_SOURCE_TRANSPORT_PORT:
			NP_TO_F32(src_port, GF_F_SRC_PORT);
			return true;
		case GF_IE_DESTINATION_TRANSPORT_PORT:
			NP_TO_F32(dst_port, GF_F_DST_PORT);
			return true;
		case GF_IE_TCP_CONTROL_BITS:
			NP_TO_F32(tcp_flags, GF_F_TCP_FLAGS);
			return true;
		case GF_IE_ICMP_TYPE_CODE_IPV4:
		case GF_IE_ICMP_TYPE_CODE_IPV6:
			s->kind = NP_ICMP_TC;
			return true;
		case GF_IE_ICMP_TYPE_IPV4:
		case GF_IE_ICMP_TYPE_IPV6:
			NP_TO_F32(icmp_type, GF_F_ICMP_TYPE);
			return true;
		case GF_IE_ICMP_CODE_IPV4:
		case GF_IE_ICMP_CODE_IPV6:
			NP_TO_F32(icmp_code, GF_F_ICMP_CODE);
			return true;
		case GF_IE_SOURCE_IPV4_PREFIX_LENGTH:
		case GF_IE_SOURCE_IPV6_PREFIX_LENGTH:
			NP_TO_F8(src_net_len, GF_F_SRC_NET);
			return true;
		case GF_IE_DESTINATION_IPV4_PREFIX_LENGTH:
		case GF_IE_DESTINATION_IPV6_PREFIX_LENGTH:
			NP_TO_F8(dst_net_len, GF_F_DST_NET);
			return true;
		case GF_IE_INGRESS_INTERFACE:
			NP_TO_F32(in_if, GF_F_IN_IF);
			return true;
		case GF_IE_EGRESS_INTERFACE:
			NP_TO_F32(out_if, GF_F_OUT_IF);
			return true;
		case GF_IE_FORWARDING_STATUS:
			NP_TO_F32(forwarding_status, GF_F_FORWARDING_STATUS);
			return true;
		case GF_IE_BGP_SOURCE_AS_NUMBER:
			NP_TO_F32(src_as, GF_F_SRC_AS);
			return true;
		case GF_IE_BGP_DESTINATION_AS_NUMBER:
			NP_TO_F32(dst_as, GF_F_DST_AS);
			return true;
		case GF_IE_BGP_NEXT_ADJACENT_AS_NUMBER:
			NP_TO_F32(next_hop_as, GF_F_NEXT_HOP_AS);
			return true;
		case GF_IE_VLAN_ID:
			NP_TO_F32(src_vlan, GF_F_SRC_VLAN);
			return true;
		case GF_IE_POST_VLAN_ID:
			NP_TO_F32(dst_vlan, GF_F_DST_VLAN);
			return true;
		case GF_IE_DOT1Q_VLAN_ID:
			NP_TO_F32(vlan_id, GF_F_VLAN_ID);
			return true;
		case GF_IE_OBSERVATION_POINT_ID:
			NP_TO_F32(observation_point_id, GF_F_OBSERVATION_POINT_ID);
			return true;
		case GF_IE_OBSERVATION_DOMAIN_ID:
			NP_TO_F32(observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID);
			return true;
		case GF_IE_FLOW_END_SYS_UP_TIME:
			NP_TO_AUX(GF_NF_SYSUP_END);
			return true;
		case GF_IE_FLOW_START_SYS_UP_TIME:
			NP_TO_AUX(GF_NF_SYSUP_START);
			return true;
		case GF_IE_FLOW_START_SECONDS:
		case GF_IE_FLOW_END_SECONDS:
		case GF_IE_FLOW_START_MILLISECONDS:
		case GF_IE_FLOW_END_MILLISECONDS:
			s->kind = NP_TIME;
			s->dst = id;
			return true;
		case GF_IE_FLOW_START_MICROSECONDS:
		case GF_IE_FLOW_END_MICROSECONDS:
		case GF_IE_FLOW_START_NANOSECONDS:
		case GF_IE_FLOW_END_NANOSECONDS:
			/* NTP timestamps are read only at 8 bytes. */
			if (len != 8)
				return false;
			s->kind = NP_TIME;
			s->dst = id;
			return true;
		case GF_IE_FLOW_START_DELTA_MICROSECONDS:
			NP_TO_AUX(GF_NF_START_DELTA_US);
			return true;
		case GF_IE_FLOW_END_DELTA_MICROSECONDS:
			NP_TO_AUX(GF_NF_END_DELTA_US);
			return true;
		case GF_IE_SYSTEM_INIT_TIME_MILLISECONDS:
			NP_TO_AUX(GF_NF_INIT_MS);
			return true;
		case GF_IE_SAMPLING_INTERVAL:
			NP_TO_AUX(GF_NF_SAMPLING_INTERVAL);
			return true;
		case GF_IE_SAMPLER_RANDOM_INTERVAL:
			NP_TO_AUX(GF_NF_RANDOM_INTERVAL);
			return true;
		case GF_IE_SAMPLING_PACKET_INTERVAL:
			NP_TO_AUX(GF_NF_PKT_INTERVAL);
			return true;
		case GF_IE_SAMPLING_PACKET_SPACE:
			NP_TO_AUX(GF_NF_PKT_SPACE);
			return true;
		case GF_IE_SAMPLING_SIZE:
			NP_TO_AUX(GF_NF_SAMPLE_SIZE);
			return true;
		case GF_IE_SAMPLING_POPULATION:
			NP_TO_AUX(GF_NF_SAMPLE_POPULATION);
			return true;
		case GF_IE_SAMPLER_ID:
		case GF_IE_SELECTOR_ID:
			NP_TO_AUX(GF_NF_SAMPLER_ID);
			return true;
	}
	return false;				/* not mapped: skipped */
}


/* A plan is stored right after the fields: its 8-byte members need this. */
_Static_assert(offsetof(gf_nf_template, fields) % 8 == 0 &&
			   sizeof(gf_nf_tfield) % 8 == 0,
			   "gf_nf_plan after gf_nf_template.fields is 8-byte aligned");

/* The four gf_addr members an address field may fill, numbered. */
static int
np_addr_member(uint16_t dst)
{
	if (dst == offsetof(gf_flow, src_addr))
		return 0;
	if (dst == offsetof(gf_flow, dst_addr))
		return 1;
	if (dst == offsetof(gf_flow, next_hop))
		return 2;
	return 3;					/* bgp_next_hop */
}

/* What a compile pass learns and, when building, where it puts steps. */
typedef struct np_build
{
	gf_nf_plan *out;			/* NULL: count only */
	uint16_t	n[GF_NF_PLAN_GROUPS];	/* steps per group */
	uint16_t	pos[GF_NF_PLAN_GROUPS];	/* next free slot from the end */
	uint64_t	present;
	uint32_t	has;
	uint32_t	need;
	bool		written[NP_KEYS];
} np_build;

/* One step, seen in backward template order: dropped, counted or placed. */
static void
np_add(np_build *b, const gf_nf_step *s)
{
	int			g = NP_GROUP(s->kind);

	if (g != NP_GROUP_ORDERED && s->kind != NP_ADDR4_ONLY &&
		s->kind != NP_ADDR6_ONLY)
	{
		int			key = s->kind == NP_AUX ? NP_KEY_AUX + s->bit : s->bit;

		/* A later field overwrites it: nothing reads it before. */
		if (b->written[key])
			return;
		b->written[key] = true;
		if (s->kind == NP_AUX)
			b->has |= UINT32_C(1) << s->bit;
		else
			b->present |= UINT64_C(1) << s->bit;
		if (s->kind <= NP_AUX && (uint32_t) s->off + 8 > b->need)
			b->need = (uint32_t) s->off + 8;
	}
	if (b->out != NULL)
		b->out->steps[--b->pos[g]] = *s;
	else
		b->n[g]++;
}

/*
 * One pass over the fields, last to first, so that a plain store is
 * dropped when a later one overwrites it; steps are placed from the end
 * of their group, which keeps the template's order within it.  False
 * when the template is not planned.
 */
static bool
np_pass(const gf_nf_template *tpl, np_build *b)
{
	uint32_t	end = tpl->min_len;
	uint16_t	addr_fields[4] = {0, 0, 0, 0};	/* per gf_addr member */
	int			i;

	/* How many address fields each address member has. */
	for (i = 0; i < tpl->n_fields; i++)
	{
		const gf_nf_tfield *fd = &tpl->fields[i];
		gf_nf_step	s;

		if (!(fd->id & GF_NF_ENTERPRISE_BIT) &&
			np_classify(fd->id, fd->len, tpl->scope.version, &s) &&
			(s.kind == NP_ADDR4 || s.kind == NP_ADDR6))
			addr_fields[np_addr_member(s.dst)]++;
	}
	memset(b->written, 0, sizeof(b->written));
	for (i = tpl->n_fields - 1; i >= 0; i--)
	{
		const gf_nf_tfield *fd = &tpl->fields[i];
		gf_nf_step	s;

		end -= fd->len;
		if (fd->id & GF_NF_ENTERPRISE_BIT)
			continue;
		if (!np_classify(fd->id, fd->len, tpl->scope.version, &s))
			continue;
		s.off = (uint16_t) end;
		if ((s.kind == NP_ADDR4 || s.kind == NP_ADDR6) &&
			addr_fields[np_addr_member(s.dst)] == 1)
			s.kind = s.kind == NP_ADDR4 ? NP_ADDR4_ONLY : NP_ADDR6_ONLY;
		if (s.kind == NP_ICMP_TC)
		{
			gf_nf_step	code = s;

			/*
			 * Type and code are the last two bytes of the integer:
			 * two 1-byte stores.  A 1-byte icmpTypeCode (type 0) is
			 * left to the field walk rather than given a kind of its
			 * own.
			 */
			if (fd->len < 2)
				return false;
			code.kind = NP_F32;
			code.off = (uint16_t) (end + fd->len - 1);
			code.len = 1;
			code.dst = offsetof(gf_flow, icmp_code);
			code.bit = GF_F_ICMP_CODE;
			np_add(b, &code);
			s.kind = NP_F32;
			s.off = (uint16_t) (end + fd->len - 2);
			s.len = 1;
			s.dst = offsetof(gf_flow, icmp_type);
			s.bit = GF_F_ICMP_TYPE;
		}
		np_add(b, &s);
	}
	return true;
}

/* Records of one length whose fields add up to it, and no options. */
static bool
np_applies(const gf_nf_template *tpl)
{
	uint32_t	sum = 0;
	uint16_t	i;

	if (tpl->options || tpl->varlen)
		return false;

	/*
	 * The steps read at fixed offsets below min_len: make sure the
	 * fields do add up to it, whoever filled the template in.
	 */
	for (i = 0; i < tpl->n_fields; i++)
	{
		if (tpl->fields[i].len == GF_NF_VARLEN)
			return false;
		sum += tpl->fields[i].len;
	}
	return sum == tpl->min_len && sum <= UINT16_MAX;
}

bool
gf_nf_plan_compile(const gf_nf_template *tpl, gf_nf_plan *out, size_t *size)
{
	np_build	b;
	uint32_t	total = 0;
	int			g;

	*size = 0;
	if (!np_applies(tpl))
		return false;
	memset(&b, 0, sizeof(b));
	if (!np_pass(tpl, &b))
		return false;
	for (g = 0; g < GF_NF_PLAN_GROUPS; g++)
		total += b.n[g];
	*size = sizeof(gf_nf_plan) + (size_t) total * sizeof(gf_nf_step);
	if (out == NULL)
		return true;

	memset(out, 0, sizeof(*out));
	memcpy(out->n, b.n, sizeof(b.n));
	b.out = out;
	total = 0;
	for (g = 0; g < GF_NF_PLAN_GROUPS; g++)
	{
		total += b.n[g];
		b.pos[g] = (uint16_t) total;
	}
	b.present = 0;
	b.has = 0;
	b.need = 0;
	(void) np_pass(tpl, &b);
	out->present = b.present;
	out->has = b.has;
	out->need = b.need;
	return true;
}

/* A big-endian integer of 1 to 8 bytes, by one 8-byte load when fast. */
static inline __attribute__((always_inline)) uint64_t
np_uint(const uint8_t *v, uint16_t len, bool fast)
{
	uint64_t	u;

	if (!fast)
		return gf_nf_uint(v, len);
	memcpy(&u, v, 8);
	return __builtin_bswap64(u) >> (64 - 8 * len);
}

/* The plain groups; fast when every 8-byte load stays in the set. */
static inline __attribute__((always_inline)) const gf_nf_step *
np_plain(gf_nf_rec *r, const gf_nf_plan *pl, const uint8_t *rec, bool fast)
{
	gf_flow    *f = r->f;
	char	   *fb = (char *) f;
	const gf_nf_step *s = pl->steps;
	const gf_nf_step *end;

	for (end = s + pl->n[NP_F32]; s < end; s++)
		*(uint32_t *) (void *) (fb + s->dst) =
			(uint32_t) np_uint(rec + s->off, s->len, fast);
	for (end = s + pl->n[NP_F64]; s < end; s++)
		*(uint64_t *) (void *) (fb + s->dst) = np_uint(rec + s->off, s->len, fast);
	for (end = s + pl->n[NP_F8]; s < end; s++)
		*(uint8_t *) (fb + s->dst) = (uint8_t) np_uint(rec + s->off, s->len, fast);
	for (end = s + pl->n[NP_AUX]; s < end; s++)
		r->v[s->bit] = np_uint(rec + s->off, s->len, fast);
	for (end = s + pl->n[NP_MAC]; s < end; s++)
		memcpy(fb + s->dst, rec + s->off, 6);
	/* gf_addr_set_v4 / _v6, inline. */
	for (end = s + pl->n[NP_ADDR4_ONLY]; s < end; s++)
	{
		gf_addr    *a = (gf_addr *) (void *) (fb + s->dst);

		memset(a, 0, sizeof(*a));
		a->family = 4;
		memcpy(a->bytes, rec + s->off, 4);
	}
	for (end = s + pl->n[NP_ADDR6_ONLY]; s < end; s++)
	{
		gf_addr    *a = (gf_addr *) (void *) (fb + s->dst);

		memset(a, 0, sizeof(*a));
		a->family = 6;
		memcpy(a->bytes, rec + s->off, 16);
	}
	f->present |= pl->present;
	r->has |= pl->has;
	return s;
}

void
gf_nf_plan_run(gf_nf_rec *r, const gf_nf_plan *pl, const uint8_t *rec,
			   size_t avail)
{
	gf_flow    *f = r->f;
	const gf_nf_step *s;
	const gf_nf_step *end;

	if (avail >= pl->need)
		s = np_plain(r, pl, rec, true);
	else
		s = np_plain(r, pl, rec, false);

	for (end = s + pl->n[NP_GROUP_ORDERED]; s < end; s++)
	{
		const uint8_t *v = rec + s->off;

		switch (s->kind)
		{
			case NP_ADDR4:
				gf_nf_rec_addr((gf_addr *) (void *) ((char *) f + s->dst), v, 4);
				break;
			case NP_ADDR6:
				gf_nf_rec_addr((gf_addr *) (void *) ((char *) f + s->dst), v, 16);
				break;
			case NP_TIME:
				gf_nf_rec_time_field(r, s->dst, gf_nf_uint(v, s->len), s->len);
				break;
			case NP_FIELD:
				gf_nf_rec_field(r, s->dst, v, s->len);
				break;
		}
	}
}
