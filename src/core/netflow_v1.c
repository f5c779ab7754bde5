/*
 * netflow_v1.c
 *    NetFlow v1: a 16-byte header (version, count, sysUptime, unix_secs,
 *    unix_nsecs: no sequence number, no engine, no sampling) and 48-byte
 *    records of IPv4 flows.
 *
 *    A record has what v5 has less the AS numbers and prefix lengths:
 *    addresses, next hop, interfaces, packets, bytes, First/Last, ports,
 *    protocol, ToS and TCP flags.  Its TCP retransmission counters (bytes
 *    41-43, rarely filled) have no column.  Counts and times follow the
 *    rules of netflow_legacy.h.
 */
#include "netflow_legacy.h"

#include "reader.h"

#define NF1_HEADER_LEN	16
#define NF1_RECORD_LEN	48

/* Fill the flow from one record; true if a time had to be clamped (skew). */
static bool
nf1_record(const gf_nfl_header *h, const uint8_t *p, gf_flow *f)
{
	gf_addr_set_v4(&f->src_addr, p);
	gf_addr_set_v4(&f->dst_addr, p + 4);
	gf_addr_set_v4(&f->next_hop, p + 8);
	GF_SET(f, in_if, GF_F_IN_IF, (uint32_t) gf_be_uint(p + 12, 2));
	GF_SET(f, out_if, GF_F_OUT_IF, (uint32_t) gf_be_uint(p + 14, 2));
	GF_SET(f, packets, GF_F_PACKETS, gf_be_uint(p + 16, 4));
	GF_SET(f, bytes, GF_F_BYTES, gf_be_uint(p + 20, 4));
	GF_SET(f, src_port, GF_F_SRC_PORT, (uint32_t) gf_be_uint(p + 32, 2));
	GF_SET(f, dst_port, GF_F_DST_PORT, (uint32_t) gf_be_uint(p + 34, 2));
	/* p[36..37] is pad1 */
	GF_SET(f, proto, GF_F_PROTO, p[38]);
	GF_SET(f, ip_tos, GF_F_IP_TOS, p[39]);
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, p[40]);
	/* p[41..43] TCP retransmission counters, p[44..47] reserved */
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	return gf_nfl_times(h, (uint32_t) gf_be_uint(p + 24, 4),
						(uint32_t) gf_be_uint(p + 28, 4), f);
}

gf_rc
gf_nf1_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	gf_nfl_header h;
	uint16_t	i;
	gf_flow		f;
	gf_rc		rc;

	err->proto = GF_PK_NETFLOW_V1;
	rc = gf_nfl_begin(d, dg, NF1_HEADER_LEN, NF1_RECORD_LEN, &h, err);
	if (rc != GF_OK)
		return rc;

	d->counters.packets_netflow_v1++;
	for (i = 0; i < h.count; i++)
	{
		bool		skew;

		gf_flow_init(&f, GF_TYPE_NETFLOW_V1, dg->time_received_ns, &dg->exporter);
		skew = nf1_record(&h, dg->data + NF1_HEADER_LEN + (size_t) i * NF1_RECORD_LEN, &f);
		gf_nfl_emit(d, sink, &f, skew);
	}
	return GF_OK;
}
