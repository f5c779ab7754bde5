/*
 * fuzz_packet.c
 *    libFuzzer target for the raw packet header parser: the first byte
 *    picks the sFlow header_protocol (Ethernet, IPv4, IPv6 or something
 *    unknown), the rest is the sampled header.  The header is copied to a
 *    buffer of exactly its size so ASan catches a read one byte past it.
 *    Seeds: test/fuzz/make_sflow_seeds.py.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t protos[4] = {GF_HDR_ETHERNET, GF_HDR_IPV4, GF_HDR_IPV6, 7};
	gf_flow		f;
	gf_packet_info info;
	uint8_t    *copy;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	gf_flow_init(&f, GF_TYPE_SFLOW_5, 1, NULL);
	(void) gf_packet_parse(copy, size - 1, protos[data[0] & 3], &f, &info);
	if (f.n_mpls > GF_MAX_MPLS || info.n_vlans > GF_PACKET_MAX_VLANS ||
		info.stop_offset > size - 1 || info.l4_offset > size - 1)
		abort();
	free(copy);
	return 0;
}
