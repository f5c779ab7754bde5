/*
 * fuzz_flow_json.c
 *    libFuzzer target for gf_flow_json: the input bytes become a gf_flow
 *    (any values, any presence bits; only the preconditions the decoders
 *    guarantee are enforced: address families 0/4/6 and array counts
 *    within their arrays), which is encoded into buffers of every
 *    interesting size.
 *
 *    Checked, with the C library as the oracle for numbers:
 *      - the object fits GF_FLOW_JSON_MAX, starts with '{', ends with '}',
 *        and brackets and quotes balance;
 *      - a numeric member appears iff its presence bit is set, and reads
 *        back (strtoull) as the value in the record;
 *      - a buffer of exactly len + 1 bytes gives the same text, a shorter
 *        one gives 0 and "", and nothing is written past buflen (the
 *        buffer is a heap block of exactly buflen bytes, for ASan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_json.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fzj_num
{
	gf_field	fld;
	const char *key;
	size_t		off;
	size_t		width;
} fzj_num;

#define FZJ_NUM(fld, member) \
	{fld, "\"" #member "\":", offsetof(gf_flow, member), sizeof(((gf_flow *) 0)->member)}

/* Members written as plain numbers whenever present. */
static const fzj_num fzj_nums[] = {
	FZJ_NUM(GF_F_SEQUENCE_NUM, sequence_num),
	FZJ_NUM(GF_F_SAMPLING_RATE, sampling_rate),
	FZJ_NUM(GF_F_TIME_FLOW_START, time_flow_start_ns),
	FZJ_NUM(GF_F_TIME_FLOW_END, time_flow_end_ns),
	FZJ_NUM(GF_F_BYTES, bytes),
	FZJ_NUM(GF_F_PACKETS, packets),
	FZJ_NUM(GF_F_SRC_PORT, src_port),
	FZJ_NUM(GF_F_DST_PORT, dst_port),
	FZJ_NUM(GF_F_IN_IF, in_if),
	FZJ_NUM(GF_F_OUT_IF, out_if),
	FZJ_NUM(GF_F_SRC_VLAN, src_vlan),
	FZJ_NUM(GF_F_DST_VLAN, dst_vlan),
	FZJ_NUM(GF_F_VLAN_ID, vlan_id),
	FZJ_NUM(GF_F_IP_TOS, ip_tos),
	FZJ_NUM(GF_F_FORWARDING_STATUS, forwarding_status),
	FZJ_NUM(GF_F_IP_TTL, ip_ttl),
	FZJ_NUM(GF_F_IP_FLAGS, ip_flags),
	FZJ_NUM(GF_F_TCP_FLAGS, tcp_flags),
	FZJ_NUM(GF_F_ICMP_TYPE, icmp_type),
	FZJ_NUM(GF_F_ICMP_CODE, icmp_code),
	FZJ_NUM(GF_F_IPV6_FLOW_LABEL, ipv6_flow_label),
	FZJ_NUM(GF_F_FRAGMENT_ID, fragment_id),
	FZJ_NUM(GF_F_FRAGMENT_OFFSET, fragment_offset),
	FZJ_NUM(GF_F_SRC_AS, src_as),
	FZJ_NUM(GF_F_DST_AS, dst_as),
	FZJ_NUM(GF_F_NEXT_HOP_AS, next_hop_as),
	FZJ_NUM(GF_F_OBSERVATION_DOMAIN_ID, observation_domain_id),
	FZJ_NUM(GF_F_OBSERVATION_POINT_ID, observation_point_id),
	FZJ_NUM(GF_F_IN_IF_FORMAT, in_if_format),
	FZJ_NUM(GF_F_OUT_IF_FORMAT, out_if_format),
	FZJ_NUM(GF_F_VXLAN_VNI, vxlan_vni),
};

static uint64_t
fzj_value(const gf_flow *f, const fzj_num *n)
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
fzj_fix_addr(gf_addr *a)
{
	static const uint8_t families[3] = {0, 4, 6};

	a->family = families[a->family % 3];
}

/* Quotes pair up, and brackets balance outside strings. */
static void
fzj_check_shape(const char *s, size_t n)
{
	int			depth = 0;
	int			in_str = 0;
	size_t		i;

	if (n < 2 || s[0] != '{' || s[n - 1] != '}' || strlen(s) != n)
		abort();
	for (i = 0; i < n; i++)
	{
		if (s[i] == '"')
			in_str = !in_str;
		else if (!in_str && (s[i] == '{' || s[i] == '['))
			depth++;
		else if (!in_str && (s[i] == '}' || s[i] == ']'))
		{
			if (--depth < 0 || (depth == 0 && i != n - 1))
				abort();
		}
		else if (!in_str && s[i] == ',' && (s[i + 1] == ',' || s[i + 1] == '}'))
			abort();
	}
	if (depth != 0 || in_str)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[GF_FLOW_JSON_MAX];
	gf_flow		f;
	size_t		n;
	size_t		i;
	size_t		buflen;
	char	   *small;

	memset(&f, 0, sizeof(f));
	memcpy(&f, data, size < sizeof(f) ? size : sizeof(f));
	f.type = (gf_flow_type) ((unsigned) f.type % 6);
	fzj_fix_addr(&f.sampler_address);
	fzj_fix_addr(&f.src_addr);
	fzj_fix_addr(&f.dst_addr);
	fzj_fix_addr(&f.next_hop);
	fzj_fix_addr(&f.bgp_next_hop);
	f.n_as_path %= GF_MAX_AS_PATH + 1;
	f.n_communities %= GF_MAX_COMMUNITIES + 1;
	f.n_mpls %= GF_MAX_MPLS + 1;

	n = gf_flow_json(&f, big, sizeof(big));
	if (n == 0 || n >= sizeof(big))
		abort();
	fzj_check_shape(big, n);

	for (i = 0; i < sizeof(fzj_nums) / sizeof(fzj_nums[0]); i++)
	{
		const char *at = strstr(big, fzj_nums[i].key);

		if ((at != NULL) != (GF_HAS(&f, fzj_nums[i].fld) != 0))
			abort();
		if (at && strtoull(at + strlen(fzj_nums[i].key), NULL, 10) !=
			fzj_value(&f, &fzj_nums[i]))
			abort();
	}

	/* Exact fit, one short, and a size picked by the input. */
	for (i = 0; i < 3; i++)
	{
		size_t		got;

		buflen = i == 0 ? n + 1 : i == 1 ? n : 1 + (size ? data[size - 1] : 0) % (n + 1);
		small = malloc(buflen);
		if (small == NULL)
			return 0;
		memset(small, 'x', buflen);
		got = gf_flow_json(&f, small, buflen);
		if (buflen > n ? (got != n || memcmp(small, big, n + 1) != 0)
			: (got != 0 || small[0] != '\0'))
			abort();
		free(small);
	}
	return 0;
}
