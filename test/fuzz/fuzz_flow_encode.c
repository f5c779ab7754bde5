/*
 * fuzz_flow_encode.c
 *    libFuzzer target for both flow encoders, gf_flow_json_ctx and
 *    gf_flow_pb_pack_delimited: the input bytes become a gf_flow (any
 *    values, any presence bits, any rate source and country bytes; only
 *    the preconditions the decoders guarantee are enforced: address
 *    families 0/4/6 and array counts within their arrays) whose context
 *    references point anywhere in the fixture's snapshot (enc_fixture.h:
 *    names to escape, names that are not UTF-8, contexts that are not
 *    objects, a 20 kB context) or one past it; the last input byte picks a
 *    snapshot or none.
 *
 *    Checked, with the C library, protobuf-c's unpack and the snapshot's
 *    own views as oracles:
 *      - JSON: strict JSON (json_check.h), one line; gf_flow_json_ctx_len
 *        is its length; without "context" it fits GF_FLOW_JSON_MAX; a
 *        numeric member appears iff its presence bit is set and reads back
 *        (strtoull) as the record's value; a buffer of exactly len + 1
 *        gives the same text, a shorter one 0 and "", nothing written past
 *        buflen (heap blocks of exactly buflen bytes, for ASan);
 *      - protobuf: gf_flow_pb_size bytes written, one byte less gives 0,
 *        the same bytes as protobuf-c's packing (gf_flow_pb_pack_reference);
 *        the varint prefix is the rest's length; protobuf-c unpacks it,
 *        each numeric field is set iff present with the record's value,
 *        and each group name is the snapshot's when that is UTF-8;
 *        without context it fits GF_FLOW_PB_MAX.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow.pb-c.h"
#include "flow_json.h"
#include "flow_pb.h"
#include "../unit/json_check.h"
#include "../unit/enc_fixture.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fze_num
{
	gf_field	fld;
	const char *name;			/* JSON key and protobuf field name */
	const char *key;			/* "name": */
	size_t		off;
	size_t		width;
} fze_num;

#define FZE_NUM(fld, member) \
	{fld, #member, "\"" #member "\":", offsetof(gf_flow, member), sizeof(((gf_flow *) 0)->member)}

/* Members written as plain numbers whenever present, in both encodings. */
static const fze_num fze_nums[] = {
	FZE_NUM(GF_F_SEQUENCE_NUM, sequence_num),
	FZE_NUM(GF_F_SAMPLING_RATE, sampling_rate),
	FZE_NUM(GF_F_TIME_FLOW_START, time_flow_start_ns),
	FZE_NUM(GF_F_TIME_FLOW_END, time_flow_end_ns),
	FZE_NUM(GF_F_BYTES, bytes),
	FZE_NUM(GF_F_PACKETS, packets),
	FZE_NUM(GF_F_SRC_PORT, src_port),
	FZE_NUM(GF_F_DST_PORT, dst_port),
	FZE_NUM(GF_F_IN_IF, in_if),
	FZE_NUM(GF_F_OUT_IF, out_if),
	FZE_NUM(GF_F_SRC_VLAN, src_vlan),
	FZE_NUM(GF_F_DST_VLAN, dst_vlan),
	FZE_NUM(GF_F_VLAN_ID, vlan_id),
	FZE_NUM(GF_F_IP_TOS, ip_tos),
	FZE_NUM(GF_F_FORWARDING_STATUS, forwarding_status),
	FZE_NUM(GF_F_IP_TTL, ip_ttl),
	FZE_NUM(GF_F_IP_FLAGS, ip_flags),
	FZE_NUM(GF_F_TCP_FLAGS, tcp_flags),
	FZE_NUM(GF_F_ICMP_TYPE, icmp_type),
	FZE_NUM(GF_F_ICMP_CODE, icmp_code),
	FZE_NUM(GF_F_IPV6_FLOW_LABEL, ipv6_flow_label),
	FZE_NUM(GF_F_FRAGMENT_ID, fragment_id),
	FZE_NUM(GF_F_FRAGMENT_OFFSET, fragment_offset),
	FZE_NUM(GF_F_SRC_AS, src_as),
	FZE_NUM(GF_F_DST_AS, dst_as),
	FZE_NUM(GF_F_NEXT_HOP_AS, next_hop_as),
	FZE_NUM(GF_F_OBSERVATION_DOMAIN_ID, observation_domain_id),
	FZE_NUM(GF_F_OBSERVATION_POINT_ID, observation_point_id),
	FZE_NUM(GF_F_IN_IF_FORMAT, in_if_format),
	FZE_NUM(GF_F_OUT_IF_FORMAT, out_if_format),
	FZE_NUM(GF_F_VXLAN_VNI, vxlan_vni),
};

static uint64_t
fze_value(const gf_flow *f, const fze_num *n)
{
	const uint8_t *p = (const uint8_t *) f + n->off;
	uint64_t	v64;
	uint32_t	v32;

	if (n->width == 8)
	{
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return v32;
}

static void
fze_fix_addr(gf_addr *a)
{
	static const uint8_t families[3] = {0, 4, 6};

	a->family = families[a->family % 3];
}

static void
fze_check_json(const gf_flow *f, const gf_ctx_snapshot *s, const uint8_t *data,
			   size_t size)
{
	size_t		len = gf_flow_json_ctx_len(f, s);
	char	   *big = malloc(len + 1);
	size_t		n;
	size_t		i;

	if (big == NULL)
		return;
	n = gf_flow_json_ctx(f, s, big, len + 1);
	if (n != len || strlen(big) != n || !json_check(big, true) ||
		strchr(big, '\n') != NULL)
		abort();
	if (strstr(big, "\"context\":{") == NULL && n >= GF_FLOW_JSON_MAX)
		abort();
	if (s == NULL)
	{
		static char plain[GF_FLOW_JSON_MAX];

		if (gf_flow_json(f, plain, sizeof(plain)) != n || strcmp(plain, big) != 0)
			abort();
	}

	for (i = 0; i < sizeof(fze_nums) / sizeof(fze_nums[0]); i++)
	{
		const char *at = strstr(big, fze_nums[i].key);

		if ((at != NULL) != (GF_HAS(f, fze_nums[i].fld) != 0))
			abort();
		if (at && strtoull(at + strlen(fze_nums[i].key), NULL, 10) !=
			fze_value(f, &fze_nums[i]))
			abort();
	}

	/* Exact fit, one short, and a size picked by the input. */
	for (i = 0; i < 3; i++)
	{
		size_t		buflen;
		size_t		got;
		char	   *small;

		buflen = i == 0 ? n + 1 : i == 1 ? n : 1 + (size ? data[size - 1] : 0) % (n + 1);
		small = malloc(buflen);
		if (small == NULL)
			break;
		memset(small, 'x', buflen);
		got = gf_flow_json_ctx(f, s, small, buflen);
		if (buflen > n ? (got != n || memcmp(small, big, n + 1) != 0)
			: (got != 0 || small[0] != '\0'))
			abort();
		free(small);
	}
	free(big);
}

/* The group name the snapshot holds for a reference, when it should be sent. */
static const char *
fze_group(const gf_ctx_snapshot *s, uint32_t number)
{
	gf_ctx_network n;

	if (s == NULL || number == GF_CTX_NONE || !gf_ctx_get_network(s, number, &n))
		return NULL;
	if (!json_utf8_check(n.name))
		return NULL;
	return n.name;
}

static void
fze_check_pb(const gf_flow *f, const gf_ctx_snapshot *s)
{
	const ProtobufCMessageDescriptor *d = &flowpb__flow_message__descriptor;
	size_t		need = gf_flow_pb_size(f, s);
	uint8_t    *buf = malloc(need);
	uint64_t	len = 0;
	size_t		head = 0;
	Flowpb__FlowMessage *u;
	size_t		i;
	const char *want;

	if (buf == NULL)
		return;
	if (need < 2 || gf_flow_pb_pack_delimited(f, s, buf, need) != need ||
		gf_flow_pb_pack_delimited(f, s, buf, need - 1) != 0)
		abort();
	/* protobuf-c's packing of the same message writes the same bytes. */
	{
		uint8_t    *ref = malloc(need);

		if (ref != NULL)
		{
			if (gf_flow_pb_pack_reference(f, s, ref, need) != need ||
				memcmp(ref, buf, need) != 0)
				abort();
			free(ref);
		}
	}
	if (s == NULL && need > GF_FLOW_PB_MAX)
		abort();
	/* The prefix, read by hand. */
	do
	{
		if (head >= need || head >= 10)
			abort();
		len |= (uint64_t) (buf[head] & 0x7f) << (7 * head);
	} while (buf[head++] & 0x80);
	if (len != need - head)
		abort();
	u = flowpb__flow_message__unpack(NULL, (size_t) len, buf + head);
	if (u == NULL || !u->has_time_received_ns ||
		u->time_received_ns != f->time_received_ns)
		abort();
	for (i = 0; i < sizeof(fze_nums) / sizeof(fze_nums[0]); i++)
	{
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(d, fze_nums[i].name);
		const uint8_t *m = (const uint8_t *) u;
		protobuf_c_boolean has;
		uint64_t	v;

		if (fd == NULL)
			abort();
		memcpy(&has, m + fd->quantifier_offset, sizeof(has));
		if (fd->type == PROTOBUF_C_TYPE_UINT64)
			memcpy(&v, m + fd->offset, 8);
		else
		{
			uint32_t	v32;

			memcpy(&v32, m + fd->offset, 4);
			v = v32;
		}
		if ((has != 0) != (GF_HAS(f, fze_nums[i].fld) != 0) ||
			(has && v != fze_value(f, &fze_nums[i])))
			abort();
	}
	want = fze_group(s, f->ctx_src_network);
	if ((want == NULL) != (u->src_group == NULL) ||
		(want && strcmp(want, u->src_group) != 0))
		abort();
	want = fze_group(s, f->ctx_dst_network);
	if ((want == NULL) != (u->dst_group == NULL) ||
		(want && strcmp(want, u->dst_group) != 0))
		abort();
	flowpb__flow_message__free_unpacked(u, NULL);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const gf_ctx_snapshot *snap = encf_snapshot();
	const gf_ctx_snapshot *s;
	gf_flow		f;

	memset(&f, 0, sizeof(f));
	memcpy(&f, data, size < sizeof(f) ? size : sizeof(f));
	f.type = (gf_flow_type) ((unsigned) f.type % 6);
	fze_fix_addr(&f.sampler_address);
	fze_fix_addr(&f.src_addr);
	fze_fix_addr(&f.dst_addr);
	fze_fix_addr(&f.next_hop);
	fze_fix_addr(&f.bgp_next_hop);
	f.n_as_path %= GF_MAX_AS_PATH + 1;
	f.n_communities %= GF_MAX_COMMUNITIES + 1;
	f.n_mpls %= GF_MAX_MPLS + 1;
	/* References into the snapshot, or one past its end. */
	f.ctx_src_network %= ENCF_N_NETS + 2;
	f.ctx_dst_network %= ENCF_N_NETS + 2;
	f.ctx_device %= ENCF_N_DEVS + 2;
	f.ctx_in_if %= ENCF_N_IFS + 2;
	f.ctx_out_if %= ENCF_N_IFS + 2;
	s = (size > 0 && (data[size - 1] & 0x80)) ? NULL : snap;

	fze_check_json(&f, s, data, size);
	fze_check_pb(&f, s);
	return 0;
}
