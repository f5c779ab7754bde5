/*
 * fuzz_decode_mapped.c
 *    libFuzzer target for decoding with a custom mapping (flow_mapping.h):
 *    the mapped NetFlow v9 / IPFIX record loop (netflow_mapped.c) and the
 *    sFlow header slices (sflow_mapped.c) on hostile datagrams.  The
 *    mapping names every kind of destination, enterprise and
 *    variable-length fields, odd bit offsets and every sFlow layer, with
 *    and without encap.  Beyond "no crash, no leak": every flow's custom
 *    values stay inside their buffer and encode to JSON and protobuf
 *    within the encoders' limits.  One decoder keeps its templates across
 *    inputs, so a template in one input and data in the next meet.
 *
 *    Seeds: test/fuzz/corpus_decode_mapped/ (an IPFIX message with 252,
 *    253, an IPv6 and two enterprise fields; an sFlow datagram of a TCP
 *    frame).
 *    Run: make build/fuzz/fuzz_decode_mapped &&
 *         ./build/fuzz/fuzz_decode_mapped test/fuzz/corpus_decode_mapped
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow_extra.h"
#include "flow_json.h"
#include "flow_mapping.h"
#include "flow_pb.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_yaml[] =
	"formatter:\n"
	"  protobuf:\n"
	"    - {name: v, index: 1100}\n"
	"    - {name: s, index: 1101, type: string, array: true}\n"
	"    - {name: b, index: 1102, type: bytes}\n"
	"ipfix:\n"
	"  mapping:\n"
	"    - {field: 252, destination: in_if}\n"
	"    - {field: 253, destination: OutIf, endianness: little}\n"
	"    - {field: 27, destination: next_hop}\n"
	"    - {field: 8, destination: bgp_next_hop}\n"
	"    - {field: 56, destination: dst_mac}\n"
	"    - {field: 9, destination: src_net}\n"
	"    - {field: 1, destination: bytes}\n"
	"    - {field: 100, pen: 29305, destination: v}\n"
	"    - {field: 101, pen: 29305, destination: s}\n"
	"    - {field: 1, pen: 29305, destination: b}\n"
	"netflowv9:\n"
	"  mapping:\n"
	"    - {field: 252, destination: in_if}\n"
	"    - {field: 40000, destination: s}\n"
	"    - {field: 8, destination: v, endianness: little}\n"
	"sflow:\n"
	"  mapping:\n"
	"    - {layer: ethernet, offset: 3, length: 48, destination: src_mac}\n"
	"    - {layer: ethernet, offset: 0, length: 48, destination: dst_mac}\n"
	"    - {layer: ipv4, offset: 4, length: 4, destination: v}\n"
	"    - {layer: ipv4, offset: 96, length: 32, destination: next_hop}\n"
	"    - {layer: ipv6, offset: 64, length: 128, destination: next_hop}\n"
	"    - {layer: tcp, offset: 0, length: 16, destination: in_if}\n"
	"    - {layer: udp, offset: 5, length: 61, destination: v}\n"
	"    - {layer: icmp, offset: 0, length: 8, destination: icmp_type}\n"
	"    - {layer: icmpv6, offset: 8, length: 8, destination: icmp_code}\n"
	"    - {layer: udp, encap: true, offset: 0, length: 64, destination: b}\n"
	"    - {layer: tcp, encap: true, offset: 0, length: 16, destination: s}\n";

static gf_decoder *fz_d;

static void
fz_flow(void *arg, const gf_flow *f)
{
	static char json[GF_FLOW_JSON_MAX];
	static uint8_t pb[GF_FLOW_PB_MAX];
	int			i;

	if (f->n_extra > GF_MAX_EXTRA)
		abort();
	for (i = 0; i < f->n_extra; i++)
		if ((size_t) f->extra[i].off + f->extra[i].name_len + f->extra[i].len > GF_EXTRA_BYTES)
			abort();
	if (gf_flow_json(f, json, sizeof(json)) == 0)
		abort();
	if (gf_flow_pb_size(f, NULL) > sizeof(pb) ||
		gf_flow_pb_pack_delimited(f, NULL, pb, sizeof(pb)) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;
	uint8_t		ip[4] = {192, 0, 2, 1};

	if (fz_d == NULL)
	{
		gf_mapping_error merr;
		gf_mapping *m = gf_mapping_parse(fz_yaml, strlen(fz_yaml), &merr);

		fz_d = gf_decoder_new(NULL);
		if (m == NULL || fz_d == NULL)
			abort();
		gf_decoder_set_mapping(fz_d, m);
	}
	memset(&dg, 0, sizeof(dg));
	dg.data = data;
	dg.len = size;
	gf_addr_set_v4(&dg.exporter, ip);
	dg.time_received_ns = UINT64_C(1700000000000000000);
	sink.flow = fz_flow;
	(void) gf_decode(fz_d, GF_PROTO_AUTO, &dg, &sink, &err);
	while (gf_decoder_release(fz_d, dg.time_received_ns, &sink))
		;
	return 0;
}
