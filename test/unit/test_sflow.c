/*
 * test_sflow.c
 *    Unit tests for the sFlow v5 decoder (src/core/sflow_*.c) through the
 *    public gf_decode() entry point.  Datagrams are written field by field
 *    with sflow_build.h; expected values are the numbers written here.
 *
 *    When the shared captures exist (../shared/testdata/captures or
 *    /work/shared/testdata/captures), a few facts that tshark printed for
 *    them are checked too; the test skips that part otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "if_info_check.h"
#include "sflow.h"
#include "sflow_build.h"
#include "unit.h"

#define MAX_GOT 8

typedef struct got
{
	int			n_flows;
	gf_flow		flows[MAX_GOT];
	int			n_ctr;
	gf_ifcounters ctr[MAX_GOT];
	int			n_drop;
	gf_drop_sample drop;
	uint8_t		drop_header[256];
	int			n_if;
	int			n_if_bad;		/* texts that break decode.h's promise */
	gf_if_info	ifs[MAX_GOT];
} got;

static void
on_flow(void *arg, const gf_flow *f)
{
	got		   *g = arg;

	if (g->n_flows < MAX_GOT)
		g->flows[g->n_flows] = *f;
	g->n_flows++;
}

static void
on_ctr(void *arg, const gf_ifcounters *c)
{
	got		   *g = arg;

	if (g->n_ctr < MAX_GOT)
		g->ctr[g->n_ctr] = *c;
	g->n_ctr++;
}

static void
on_drop(void *arg, const gf_drop_sample *d)
{
	got		   *g = arg;

	g->drop = *d;
	/* The header pointer is only valid during the callback. */
	if (d->header != NULL && d->header_len <= sizeof(g->drop_header))
		memcpy(g->drop_header, d->header, d->header_len);
	g->n_drop++;
}

static void
on_if(void *arg, const gf_if_info *i)
{
	got		   *g = arg;

	if (!if_info_ok(i))
		g->n_if_bad++;
	if (g->n_if < MAX_GOT)
		g->ifs[g->n_if] = *i;
	g->n_if++;
}

static const uint8_t AGENT[4] = {10, 0, 0, 1};

/* Decode s with a fresh decoder; counters copied out. */
static gf_rc
run(const sb *s, got *g, gf_counters *ctr, gf_error *err)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_sink		sink = {.flow = on_flow, .ifcounters = on_ctr, .drop = on_drop,
	.interface = on_if, .arg = g};
	gf_datagram dg;
	gf_rc		rc;

	memset(g, 0, sizeof(*g));
	memset(&dg, 0, sizeof(dg));
	dg.data = s->b;
	dg.len = s->n;
	dg.time_received_ns = 1700000000000000000ull;
	rc = gf_decode(d, GF_PROTO_AUTO, &dg, &sink, err);
	*ctr = *gf_decoder_counters(d);
	gf_decoder_free(d);
	return rc;
}

/* Build the big mixed datagram used by several tests. */
static void
build_mixed(sb *s)
{
	size_t		smp,
				rec;
	static const uint8_t nh[4] = {192, 0, 2, 254};
	static const uint8_t gw[4] = {192, 0, 2, 1};

	sb_sflow_header(s, AGENT, 2, 77, 123456, 3);

	/* Flow sample: header, switch, router, gateway, unknown record. */
	smp = sb_open(s, 1);
	sb_u32(s, 9001);			/* sample sequence */
	sb_u32(s, (0u << 24) | 3);	/* source id */
	sb_u32(s, 2048);			/* sampling rate */
	sb_u32(s, 4096000);
	sb_u32(s, 5);
	sb_u32(s, 0x40000001);		/* in: discarded, reason 1 */
	sb_u32(s, 0x80000007);		/* out: multiple, 7 interfaces */
	sb_u32(s, 5);
	sb_rec_header_ipv4_tcp(s, 1400);
	rec = sb_open(s, 1001);
	sb_u32(s, 100);
	sb_u32(s, 3);
	sb_u32(s, 200);
	sb_u32(s, 5);
	sb_close(s, rec);
	rec = sb_open(s, 1002);
	sb_u32(s, 1);
	sb_bytes(s, nh, 4);
	sb_u32(s, 24);
	sb_u32(s, 16);
	sb_close(s, rec);
	rec = sb_open(s, 1003);
	sb_u32(s, 1);
	sb_bytes(s, gw, 4);
	sb_u32(s, 64500);			/* router's own AS */
	sb_u32(s, 64501);			/* src AS */
	sb_u32(s, 64502);			/* src peer AS */
	sb_u32(s, 2);				/* segments */
	sb_u32(s, 1);				/* AS_SET */
	sb_u32(s, 1);
	sb_u32(s, 65001);
	sb_u32(s, 2);				/* AS_SEQUENCE */
	sb_u32(s, 2);
	sb_u32(s, 65002);
	sb_u32(s, 4200000000u);
	sb_u32(s, 2);				/* communities */
	sb_u32(s, (65000u << 16) | 100);
	sb_u32(s, (65000u << 16) | 200);
	sb_u32(s, 150);				/* local pref */
	sb_close(s, rec);
	rec = sb_open(s, (9u << 12) | 1);	/* enterprise 9: unknown */
	sb_u32(s, 0xdeadbeef);
	sb_close(s, rec);
	sb_close(s, smp);

	/* Counter sample: generic, Ethernet, one unknown record. */
	smp = sb_open(s, 2);
	sb_u32(s, 555);
	sb_u32(s, (1u << 24) | 3);	/* source id: type 1, index 3 */
	sb_u32(s, 3);
	rec = sb_open(s, 1);
	sb_u32(s, 3);				/* ifIndex */
	sb_u32(s, 6);				/* ifType */
	sb_u64(s, 10000000000ull);
	sb_u32(s, 1);				/* full duplex */
	sb_u32(s, 3);				/* admin+oper up */
	sb_u64(s, 123456789012ull);
	sb_u32(s, 11);
	sb_u32(s, 12);
	sb_u32(s, 13);
	sb_u32(s, 14);
	sb_u32(s, 15);
	sb_u32(s, 16);
	sb_u64(s, 987654321098ull);
	sb_u32(s, 21);
	sb_u32(s, 22);
	sb_u32(s, 23);
	sb_u32(s, 24);
	sb_u32(s, 25);
	sb_u32(s, 1);
	sb_close(s, rec);
	rec = sb_open(s, 2);
	{
		uint32_t	i;

		for (i = 1; i <= 13; i++)
			sb_u32(s, 100 + i);
	}
	sb_close(s, rec);
	rec = sb_open(s, 1005);		/* host CPU: not ours */
	sb_u64(s, 0);
	sb_close(s, rec);
	sb_close(s, smp);

	/* Unknown sample (vendor enterprise 4413). */
	smp = sb_open(s, (4413u << 12) | 1);
	sb_u32(s, 1);
	sb_u32(s, 2);
	sb_close(s, smp);
}

static void
test_mixed(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	const gf_flow *f;
	const gf_ifcounters *ic;
	static const uint8_t src[4] = {10, 1, 2, 3};
	static const uint8_t nh[4] = {192, 0, 2, 254};
	static const uint8_t gw[4] = {192, 0, 2, 1};

	build_mixed(&s);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_flows, 1);
	CHECK_EQ_U64(g.n_ctr, 1);
	CHECK_EQ_U64(c.packets_sflow, 1);
	CHECK_EQ_U64(c.flows, 1);
	CHECK_EQ_U64(c.sflow_flow_samples, 1);
	CHECK_EQ_U64(c.sflow_counter_samples, 1);
	CHECK_EQ_U64(c.sflow_samples_unknown, 1);
	CHECK_EQ_U64(c.sflow_records_unknown, 2);
	CHECK_EQ_U64(c.sflow_limits_hit, 0);
	CHECK_EQ_U64(c.sflow_header_unparsed, 0);
	CHECK_EQ_U64(c.packets_malformed, 0);

	f = &g.flows[0];
	CHECK_EQ_U64(f->type, GF_TYPE_SFLOW_5);
	CHECK_EQ_U64(f->time_received_ns, 1700000000000000000ull);
	CHECK(f->sampler_address.family == 4 &&
		  memcmp(f->sampler_address.bytes, AGENT, 4) == 0);
	CHECK_EQ_U64(f->sequence_num, 77);	/* datagram sequence */
	CHECK_EQ_U64(f->sampling_rate, 2048);
	CHECK_EQ_U64(f->sampling_rate_source, GF_RATE_SFLOW);
	CHECK_EQ_U64(f->bytes, 1400);
	CHECK_EQ_U64(f->packets, 1);
	CHECK_EQ_U64(f->in_if_format, 1);
	CHECK_EQ_U64(f->in_if, 1);
	CHECK_EQ_U64(f->out_if_format, 2);
	CHECK_EQ_U64(f->out_if, 7);
	CHECK(GF_HAS(f, GF_F_IN_IF_FORMAT) && GF_HAS(f, GF_F_OUT_IF));
	CHECK(f->src_addr.family == 4 && memcmp(f->src_addr.bytes, src, 4) == 0);
	CHECK_EQ_U64(f->proto, 6);
	CHECK_EQ_U64(f->src_port, 40000);
	CHECK_EQ_U64(f->dst_port, 443);
	CHECK_EQ_U64(f->tcp_flags, 0x18);
	CHECK_EQ_U64(f->ip_tos, 0x28);
	CHECK_EQ_U64(f->ip_ttl, 61);
	CHECK_EQ_U64(f->src_vlan, 100);
	CHECK_EQ_U64(f->dst_vlan, 200);
	CHECK(f->next_hop.family == 4 && memcmp(f->next_hop.bytes, nh, 4) == 0);
	CHECK_EQ_U64(f->src_net_len, 24);
	CHECK_EQ_U64(f->dst_net_len, 16);
	CHECK(GF_HAS(f, GF_F_SRC_NET) && GF_HAS(f, GF_F_DST_NET));
	CHECK(f->bgp_next_hop.family == 4 &&
		  memcmp(f->bgp_next_hop.bytes, gw, 4) == 0);
	CHECK_EQ_U64(f->src_as, 64501);
	CHECK_EQ_U64(f->dst_as, 4200000000u);
	CHECK_EQ_U64(f->next_hop_as, 65001);
	CHECK_EQ_U64(f->n_as_path, 3);
	CHECK_EQ_U64(f->as_path[0], 65001);
	CHECK_EQ_U64(f->as_path[1], 65002);
	CHECK_EQ_U64(f->as_path[2], 4200000000u);
	CHECK_EQ_U64(f->n_communities, 2);
	CHECK_EQ_U64(f->bgp_communities[1], (65000u << 16) | 200);

	ic = &g.ctr[0];
	CHECK_EQ_U64(ic->sequence_num, 555);
	CHECK_EQ_U64(ic->sub_agent_id, 2);
	CHECK_EQ_U64(ic->source_id_type, 1);
	CHECK_EQ_U64(ic->source_id_index, 3);
	CHECK(ic->has_generic && ic->has_ethernet);
	CHECK_EQ_U64(ic->if_index, 3);
	CHECK_EQ_U64(ic->if_type, 6);
	CHECK_EQ_U64(ic->if_speed, 10000000000ull);
	CHECK_EQ_U64(ic->if_direction, 1);
	CHECK_EQ_U64(ic->if_status, 3);
	CHECK_EQ_U64(ic->in_octets, 123456789012ull);
	CHECK_EQ_U64(ic->in_ucast_pkts, 11);
	CHECK_EQ_U64(ic->in_unknown_protos, 16);
	CHECK_EQ_U64(ic->out_octets, 987654321098ull);
	CHECK_EQ_U64(ic->out_ucast_pkts, 21);
	CHECK_EQ_U64(ic->out_errors, 25);
	CHECK_EQ_U64(ic->promiscuous_mode, 1);
	CHECK_EQ_U64(ic->dot3_alignment_errors, 101);
	CHECK_EQ_U64(ic->dot3_sqe_test_errors, 105);
	CHECK_EQ_U64(ic->dot3_symbol_errors, 113);

	/* The generic record's ifSpeed, as an interface fact of the agent. */
	CHECK_EQ_U64(g.n_if, 1);
	CHECK_EQ_U64(g.n_if_bad, 0);
	CHECK_EQ_U64(c.interface_records, 1);
	CHECK_EQ_U64(g.ifs[0].type, GF_TYPE_SFLOW_5);
	CHECK(g.ifs[0].exporter.family == 4 &&
		  memcmp(g.ifs[0].exporter.bytes, AGENT, 4) == 0);
	CHECK_EQ_U64(g.ifs[0].domain, 2);	/* sub-agent id */
	CHECK_EQ_U64(g.ifs[0].if_index, 3);
	CHECK(g.ifs[0].has_speed);
	CHECK_EQ_U64(g.ifs[0].speed, 10000000000ull);
	CHECK(!g.ifs[0].has_name && !g.ifs[0].has_description);
	CHECK_EQ_U64(g.ifs[0].time_received_ns, 1700000000000000000ull);
}

/*
 * Interface speeds: an ifSpeed of 0 (unknown) teaches nothing; a sink
 * without the interface callback still gets its counters and the count.
 */
static void
test_interface_speed(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		speed_at;
	gf_decoder *d;
	gf_sink		sink = {.ifcounters = on_ctr};
	gf_datagram dg;

	build_mixed(&s);
	/* ifSpeed follows the tag, length, ifIndex and ifType of record 1. */
	for (speed_at = 0; speed_at + 8 <= s.n; speed_at++)
		if (memcmp(s.b + speed_at, "\x00\x00\x00\x02\x54\x0b\xe4\x00", 8) == 0)
			break;
	CHECK(speed_at + 8 <= s.n);
	if (speed_at + 8 > s.n)
		return;
	memset(s.b + speed_at, 0, 8);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_ctr, 1);
	CHECK_EQ_U64(g.ctr[0].if_speed, 0);
	CHECK_EQ_U64(g.n_if, 0);
	CHECK_EQ_U64(c.interface_records, 0);

	/* Speed 1 Gb/s, and no interface callback. */
	s.b[speed_at + 4] = 0x3b;
	s.b[speed_at + 5] = 0x9a;
	s.b[speed_at + 6] = 0xca;
	s.b[speed_at + 7] = 0x00;
	d = gf_decoder_new(NULL);
	memset(&g, 0, sizeof(g));
	memset(&dg, 0, sizeof(dg));
	dg.data = s.b;
	dg.len = s.n;
	sink.arg = &g;
	CHECK_EQ_U64(gf_decode(d, GF_PROTO_SFLOW, &dg, &sink, &err), GF_OK);
	CHECK_EQ_U64(g.n_ctr, 1);
	CHECK_EQ_U64(g.ctr[0].if_speed, 1000000000ull);
	CHECK_EQ_U64(g.n_if, 0);
	CHECK_EQ_U64(gf_decoder_counters(d)->interface_records, 1);
	gf_decoder_free(d);

	/* With the callback: that speed. */
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_if, 1);
	CHECK_EQ_U64(g.ifs[0].speed, 1000000000ull);
}

/* Every strict prefix of the mixed datagram is refused, and never crashes. */
static void
test_mixed_prefixes(void)
{
	sb			s = {0};
	sb			cut;
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		n;
	int			ok_early = 0;
	int			no_msg = 0;

	build_mixed(&s);
	for (n = 0; n < s.n; n++)
	{
		memset(&cut, 0, sizeof(cut));
		memcpy(cut.b, s.b, n);
		cut.n = n;
		if (run(&cut, &g, &c, &err) == GF_OK)
			ok_early++;
		else if (err.msg[0] == '\0')
			no_msg++;
	}
	CHECK_EQ_U64(ok_early, 0);
	CHECK_EQ_U64(no_msg, 0);
}

/* Expanded flow sample with only a sampled IPv4 record (no header). */
static void
test_expanded_sampled_ipv4(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	static const uint8_t a[4] = {1, 2, 3, 4};
	static const uint8_t b[4] = {5, 6, 7, 8};
	const gf_flow *f;

	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 3);
	sb_u32(&s, 42);
	sb_u32(&s, 0);				/* source id type */
	sb_u32(&s, 70000000);		/* index beyond 24 bits */
	sb_u32(&s, 512);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 0);				/* in format */
	sb_u32(&s, 3000000000u);	/* expanded: a full 32-bit value */
	sb_u32(&s, 2);				/* out format: multiple */
	sb_u32(&s, 4);
	sb_u32(&s, 2);
	rec = sb_open(&s, 2);		/* sampled Ethernet: MACs padded to 8 */
	sb_u32(&s, 594);
	sb_bytes(&s, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
	sb_bytes(&s, "\x02\x00\x00\x00\x00\x02\x00\x00", 8);
	sb_u32(&s, 0x0800);
	sb_close(&s, rec);
	rec = sb_open(&s, 3);
	sb_u32(&s, 576);			/* IP length */
	sb_u32(&s, 17);
	sb_bytes(&s, a, 4);
	sb_bytes(&s, b, 4);
	sb_u32(&s, 53);
	sb_u32(&s, 33333);
	sb_u32(&s, 0);
	sb_u32(&s, 0xb8);
	sb_close(&s, rec);
	sb_close(&s, smp);

	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_flows, 1);
	f = &g.flows[0];
	CHECK_EQ_U64(f->sampling_rate, 512);
	CHECK_EQ_U64(f->in_if, 3000000000u);
	CHECK_EQ_U64(f->in_if_format, 0);
	CHECK_EQ_U64(f->out_if, 4);
	CHECK_EQ_U64(f->out_if_format, 2);
	CHECK_EQ_U64(f->bytes, 594);	/* the first length given */
	CHECK_EQ_U64(f->src_mac[5], 1);
	CHECK_EQ_U64(f->dst_mac[5], 2);
	CHECK_EQ_U64(f->etype, 0x0800);
	CHECK_EQ_U64(f->proto, 17);
	CHECK(f->src_addr.family == 4 && memcmp(f->src_addr.bytes, a, 4) == 0);
	CHECK(f->dst_addr.family == 4 && memcmp(f->dst_addr.bytes, b, 4) == 0);
	CHECK_EQ_U64(f->src_port, 53);
	CHECK_EQ_U64(f->dst_port, 33333);
	CHECK_EQ_U64(f->ip_tos, 0xb8);
}

/* Sampled IPv6 before a raw header: the header's values win. */
static void
test_header_wins(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	uint8_t		a6[16] = {0xfe, 0x80};
	static const uint8_t src[4] = {10, 1, 2, 3};

	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 2);
	rec = sb_open(&s, 4);
	sb_u32(&s, 999);
	sb_u32(&s, 17);
	sb_bytes(&s, a6, 16);
	sb_bytes(&s, a6, 16);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_close(&s, rec);
	sb_rec_header_ipv4_tcp(&s, 1514);
	sb_close(&s, smp);

	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.flows[0].bytes, 1514);
	CHECK(g.flows[0].src_addr.family == 4 &&
		  memcmp(g.flows[0].src_addr.bytes, src, 4) == 0);
	CHECK_EQ_U64(g.flows[0].proto, 6);
	CHECK_EQ_U64(g.flows[0].src_port, 40000);
}

/* Drop sample with a raw header and a drop-specific record. */
static void
test_drop_sample(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;

	sb_sflow_header(&s, AGENT, 0, 31, 0, 1);
	smp = sb_open(&s, 5);
	sb_u32(&s, 8);				/* sequence */
	sb_u32(&s, 0);				/* source id type */
	sb_u32(&s, 12);				/* source id index */
	sb_u32(&s, 3);				/* drops */
	sb_u32(&s, 12);				/* input ifIndex */
	sb_u32(&s, 0);				/* output unknown */
	sb_u32(&s, 259);			/* reason */
	sb_u32(&s, 9);				/* records */
	sb_rec_header_ipv4_tcp(&s, 60);
	rec = sb_open(&s, 1036);	/* egress queue */
	sb_u32(&s, 4);
	sb_close(&s, rec);
	rec = sb_open(&s, 1037);	/* ACL: number, name (5 bytes + 3 pad), direction */
	sb_u32(&s, 101);
	sb_str(&s, "deny1");
	sb_u32(&s, 2);
	sb_close(&s, rec);
	rec = sb_open(&s, 1038);	/* function */
	sb_str(&s, "ip_rcv_finish");
	sb_close(&s, rec);
	rec = sb_open(&s, 1039);	/* transit delay, ns */
	sb_u32(&s, 1500);
	sb_close(&s, rec);
	rec = sb_open(&s, 1040);	/* queue depth, bytes */
	sb_u32(&s, 65536);
	sb_close(&s, rec);
	rec = sb_open(&s, 1041);	/* hardware trap: group, trap */
	sb_str(&s, "l3_drops");
	sb_str(&s, "blackhole_route");
	sb_close(&s, rec);
	rec = sb_open(&s, 1042);	/* Linux drop reason, a control byte in it */
	sb_str(&s, "NO_SOCKET\x01");
	sb_close(&s, rec);
	rec = sb_open(&s, (1u << 12) | 1036);	/* another enterprise's 1036 */
	sb_u32(&s, 9);
	sb_close(&s, rec);
	sb_close(&s, smp);

	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_flows, 0);
	CHECK_EQ_U64(g.n_drop, 1);
	CHECK_EQ_U64(c.sflow_drop_samples, 1);
	CHECK_EQ_U64(c.sflow_records_unknown, 1);	/* only enterprise 1's */
	CHECK_EQ_U64(g.drop.ext, GF_DROP_EXT_EGRESS_QUEUE | GF_DROP_EXT_ACL |
				 GF_DROP_EXT_FUNCTION | GF_DROP_EXT_TRANSIT |
				 GF_DROP_EXT_QUEUE_DEPTH | GF_DROP_EXT_HW_TRAP |
				 GF_DROP_EXT_LINUX_REASON);
	CHECK_EQ_U64(g.drop.egress_queue, 4);
	CHECK_EQ_U64(g.drop.acl_number, 101);
	CHECK_STR(g.drop.acl_name, "deny1");
	CHECK_EQ_U64(g.drop.acl_direction, 2);
	CHECK_STR(g.drop.function, "ip_rcv_finish");
	CHECK_EQ_U64(g.drop.transit_delay_ns, 1500);
	CHECK_EQ_U64(g.drop.queue_depth, 65536);
	CHECK_STR(g.drop.hw_trap_group, "l3_drops");
	CHECK_STR(g.drop.hw_trap, "blackhole_route");
	CHECK_STR(g.drop.linux_reason, "NO_SOCKET?");
	CHECK_EQ_U64(g.drop.sequence_num, 8);
	CHECK_EQ_U64(g.drop.datagram_sequence, 31);
	CHECK_EQ_U64(g.drop.source_id_index, 12);
	CHECK_EQ_U64(g.drop.drops, 3);
	CHECK_EQ_U64(g.drop.in_if, 12);
	CHECK_EQ_U64(g.drop.out_if, 0);
	CHECK_EQ_U64(g.drop.reason, 259);
	CHECK_EQ_U64(g.drop.header_protocol, 1);
	CHECK_EQ_U64(g.drop.frame_length, 60);
	CHECK_EQ_U64(g.drop.header_len, 54);
	CHECK_EQ_U64(g.drop_header[12], 0x08);	/* ethertype high byte */
	CHECK_EQ_U64(g.drop.flow.dst_port, 443);
	CHECK_EQ_U64(g.drop.flow.bytes, 60);
	CHECK_EQ_U64(g.drop.flow.in_if, 12);
}

/* A drop record shorter than its fields: the datagram is malformed. */
static void
test_drop_record_short(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;

	sb_sflow_header(&s, AGENT, 0, 32, 0, 1);
	smp = sb_open(&s, 5);
	sb_u32(&s, 9);
	sb_u32(&s, 0);
	sb_u32(&s, 12);
	sb_u32(&s, 0);
	sb_u32(&s, 12);
	sb_u32(&s, 0);
	sb_u32(&s, 259);
	sb_u32(&s, 1);
	rec = sb_open(&s, 1037);	/* ACL whose name claims 1000 bytes */
	sb_u32(&s, 7);
	sb_u32(&s, 1000);
	sb_u32(&s, 0);
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_TRUNCATED);
	CHECK(strstr(err.msg, "drop record 1037") != NULL);
	CHECK_EQ_U64(g.n_drop, 0);
}

static void
test_errors(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;

	/* Version 4 on an sFlow-looking word is not ours. */
	sb_u32(&s, 4);
	sb_u32(&s, 1);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_VERSION);

	/* Unknown agent address type. */
	s.n = 0;
	sb_u32(&s, 5);
	sb_u32(&s, 3);
	sb_u32(&s, 0);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.offset, 4);
	CHECK(strstr(err.msg, "address type 3") != NULL);
	CHECK_EQ_U64(c.packets_malformed, 1);

	/* Sample length beyond the datagram: first sample still emitted. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 2);
	sb_flow_sample_typical(&s, 1);
	smp = s.n;
	sb_u32(&s, 1);
	sb_u32(&s, 4000);
	sb_u32(&s, 0);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.offset, smp);
	CHECK_EQ_U64(g.n_flows, 1);
	CHECK(strstr(err.msg, "4000") != NULL);

	/* More samples announced than present. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 3);
	sb_flow_sample_typical(&s, 1);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_COUNT);
	CHECK(strstr(err.msg, "3 samples") != NULL);

	/* Record longer than its sample. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 1);
	rec = s.n;
	sb_u32(&s, 1001);
	sb_u32(&s, 64);
	sb_u32(&s, 0);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.offset, rec);
	CHECK_EQ_U64(g.n_flows, 0);

	/* Raw header length beyond its record. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 1);
	rec = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 100);
	sb_u32(&s, 0);
	sb_u32(&s, 0xffffffff);
	sb_u32(&s, 0);
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_LENGTH);
	CHECK(strstr(err.msg, "4294967295") != NULL);

	/* Short generic counter record. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 2);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	rec = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(g.n_ctr, 0);
}

/* A cut-short header is counted but the flow is still emitted. */
static void
test_header_unparsed(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	static const uint8_t frame[20] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 40, 0, 1
	};

	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 1);
	rec = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 64);
	sb_u32(&s, 4);
	sb_u32(&s, sizeof(frame));
	sb_bytes(&s, frame, sizeof(frame));
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(c.sflow_header_unparsed, 1);
	CHECK_EQ_U64(g.n_flows, 1);
	CHECK_EQ_U64(g.flows[0].etype, 0x0800);
	CHECK_EQ_U64(g.flows[0].src_mac[5], 11);
	CHECK_EQ_U64(g.flows[0].bytes, 64);
	CHECK(g.flows[0].src_addr.family == 0);
}

static void
test_limits(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	uint32_t	i;

	/* 1100 empty unknown samples: 1024 looked at, the rest left. */
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1100);
	for (i = 0; i < 1100; i++)
	{
		sb_u32(&s, 99);
		sb_u32(&s, 0);
	}
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(c.sflow_samples_unknown, 1024);
	CHECK_EQ_U64(c.sflow_limits_hit, 1);

	/* 70 unknown records in one sample: 64 looked at, flow emitted. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 70);
	for (i = 0; i < 70; i++)
	{
		sb_u32(&s, 2000);
		sb_u32(&s, 0);
	}
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(c.sflow_records_unknown, 64);
	CHECK_EQ_U64(c.sflow_limits_hit, 1);
	CHECK_EQ_U64(g.n_flows, 1);

	/* AS path of 70 and 70 communities; MPLS record with 3 labels. */
	s.n = 0;
	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 2);
	rec = sb_open(&s, 1003);
	sb_u32(&s, 2);
	sb_u64(&s, 0x20010db800000000ull);
	sb_u64(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 3);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 70);
	for (i = 0; i < 70; i++)
		sb_u32(&s, 1000 + i);
	sb_u32(&s, 70);
	for (i = 0; i < 70; i++)
		sb_u32(&s, 5000 + i);
	sb_u32(&s, 100);
	sb_close(&s, rec);
	rec = sb_open(&s, 1006);
	sb_u32(&s, 0);				/* next hop type unknown */
	sb_u32(&s, 3);
	sb_u32(&s, (16u << 12) | 64);	/* label 16, TTL 64 */
	sb_u32(&s, (17u << 12) | 64);
	sb_u32(&s, (18u << 12) | 0x100 | 64);	/* bottom of stack */
	sb_u32(&s, 1);
	sb_u32(&s, 99);
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(c.sflow_limits_hit, 1);
	CHECK_EQ_U64(g.flows[0].n_as_path, GF_MAX_AS_PATH);
	CHECK_EQ_U64(g.flows[0].as_path[GF_MAX_AS_PATH - 1], 1000 + GF_MAX_AS_PATH - 1);
	CHECK_EQ_U64(g.flows[0].dst_as, 1069);	/* last of all 70 */
	CHECK_EQ_U64(g.flows[0].next_hop_as, 1000);
	CHECK_EQ_U64(g.flows[0].n_communities, GF_MAX_COMMUNITIES);
	CHECK(g.flows[0].bgp_next_hop.family == 6);
	CHECK_EQ_U64(g.flows[0].bgp_next_hop.bytes[15], 1);
	CHECK_EQ_U64(g.flows[0].n_mpls, 3);
	CHECK_EQ_U64(g.flows[0].mpls_label[0], 16);
	CHECK_EQ_U64(g.flows[0].mpls_label[2], 18);
}

/* Empty AS path: dst_as is the router's own AS, no next_hop_as. */
static void
test_gateway_empty_path(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;

	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 1);
	rec = sb_open(&s, 1003);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 64999);
	sb_u32(&s, 13335);
	sb_u32(&s, 13335);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.flows[0].src_as, 13335);
	CHECK_EQ_U64(g.flows[0].dst_as, 64999);
	CHECK(!GF_HAS(&g.flows[0], GF_F_NEXT_HOP_AS));
	CHECK_EQ_U64(g.flows[0].n_as_path, 0);
}

/* Expanded counter sample with only the Ethernet record. */
static void
test_expanded_counters(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	uint32_t	i;

	sb_sflow_header(&s, AGENT, 7, 1, 0, 1);
	smp = sb_open(&s, 4);
	sb_u32(&s, 66);
	sb_u32(&s, 2);				/* physical entity */
	sb_u32(&s, 0x87654321);
	sb_u32(&s, 1);
	rec = sb_open(&s, 2);
	for (i = 0; i < 13; i++)
		sb_u32(&s, 1000 * (i + 1));
	sb_close(&s, rec);
	sb_close(&s, smp);
	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_ctr, 1);
	CHECK_EQ_U64(g.ctr[0].sequence_num, 66);
	CHECK_EQ_U64(g.ctr[0].sub_agent_id, 7);
	CHECK_EQ_U64(g.ctr[0].source_id_type, 2);
	CHECK_EQ_U64(g.ctr[0].source_id_index, 0x87654321);
	CHECK(!g.ctr[0].has_generic && g.ctr[0].has_ethernet);
	/* No generic record, no speed. */
	CHECK_EQ_U64(g.n_if, 0);
	CHECK_EQ_U64(g.ctr[0].dot3_fcs_errors, 2000);
	CHECK_EQ_U64(g.ctr[0].dot3_frame_too_longs, 11000);
	CHECK_EQ_U64(g.ctr[0].dot3_symbol_errors, 13000);
}

/* ---- real captures (skipped when absent) ------------------------------ */

static const char *
captures_dir(void)
{
	static const char *dirs[] = {
		"../shared/testdata/captures", "/work/shared/testdata/captures"
	};
	size_t		i;
	char		path[256];
	FILE	   *fp;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
	{
		snprintf(path, sizeof(path), "%s/MANIFEST.md", dirs[i]);
		fp = fopen(path, "r");
		if (fp)
		{
			fclose(fp);
			return dirs[i];
		}
	}
	return NULL;
}

/*
 * Decode every UDP payload of a classic little-endian Ethernet pcap
 * (IPv4, optional 802.1Q) into g.
 */
static int
decode_pcap(const char *dir, const char *name, got *g, gf_counters *c)
{
	char		path[512];
	FILE	   *fp;
	uint8_t		gh[24],
				ph[16];
	static uint8_t buf[65536];
	gf_decoder *d = gf_decoder_new(NULL);
	gf_sink		sink = {.flow = on_flow, .ifcounters = on_ctr, .drop = on_drop,
	.interface = on_if, .arg = g};
	int			n = 0;

	memset(g, 0, sizeof(*g));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (fp == NULL || fread(gh, 1, 24, fp) != 24)
	{
		if (fp)
			fclose(fp);
		gf_decoder_free(d);
		return -1;
	}
	while (fread(ph, 1, 16, fp) == 16)
	{
		uint32_t	incl = ph[8] | ph[9] << 8 | ph[10] << 16 | (uint32_t) ph[11] << 24;
		size_t		off = 14;
		gf_datagram dg;
		gf_error	err;

		if (incl > sizeof(buf) || fread(buf, 1, incl, fp) != incl)
			break;
		if (buf[12] == 0x81 && buf[13] == 0x00)
			off += 4;
		off += (size_t) (buf[off] & 0x0f) * 4 + 8;
		if (off > incl)
			continue;
		memset(&dg, 0, sizeof(dg));
		dg.data = buf + off;
		dg.len = incl - off;
		if (gf_decode(d, GF_PROTO_SFLOW, &dg, &sink, &err) == GF_OK)
			n++;
	}
	*c = *gf_decoder_counters(d);
	fclose(fp);
	gf_decoder_free(d);
	return n;
}

/* Values below were read from tshark's decode (X.tshark.json.gz). */
static void
test_captures(void)
{
	const char *dir = captures_dir();
	got		   *g;
	gf_counters c;
	char		buf[64];

	if (dir == NULL)
	{
		printf("test_sflow: shared captures absent, capture checks skipped\n");
		return;
	}
	g = malloc(sizeof(*g));

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-1140.pcap", g, &c), 1);
	CHECK_EQ_U64(g->n_flows, 5);
	CHECK_STR(gf_addr_format(&g->flows[0].sampler_address, buf, sizeof(buf)),
			  "172.16.0.3");
	CHECK_EQ_U64(g->flows[0].sequence_num, 812646826);
	CHECK_EQ_U64(g->flows[1].bytes, 439);
	CHECK_EQ_U64(g->flows[3].bytes, 64);
	CHECK_EQ_U64(g->flows[3].sampling_rate, 1024);

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-qinq.pcap", g, &c), 1);
	CHECK_EQ_U64(g->n_flows, 1);
	CHECK_EQ_U64(g->flows[0].bytes, 106);
	CHECK_EQ_U64(g->flows[0].sampling_rate, 4096);
	CHECK_EQ_U64(g->flows[0].vlan_id, 1062);
	CHECK_STR(gf_addr_format(&g->flows[0].src_addr, buf, sizeof(buf)),
			  "49.49.49.2");

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-encap-vxlan.pcap", g, &c), 1);
	CHECK_EQ_U64(g->flows[0].vxlan_vni, 100);
	CHECK_STR(gf_addr_format(&g->flows[0].src_addr, buf, sizeof(buf)),
			  "2001:db8:4::1");
	CHECK_EQ_U64(g->flows[0].icmp_type, 128);

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-discard-interface.pcap", g, &c), 1);
	CHECK_EQ_U64(g->flows[0].out_if_format, 1);
	CHECK_EQ_U64(g->flows[0].out_if, 1);

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-multiple-interfaces.pcap", g, &c), 1);
	CHECK_EQ_U64(g->flows[0].out_if_format, 2);
	CHECK_EQ_U64(g->flows[0].out_if, 7);

	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-icmpv4.pcap", g, &c), 1);
	CHECK_EQ_U64(g->flows[0].icmp_type, 8);
	CHECK_EQ_U64(decode_pcap(dir, "akvorado__akvorado/data-icmpv6.pcap", g, &c), 1);
	CHECK_EQ_U64(g->flows[0].icmp_type, 135);

	CHECK_EQ_U64(decode_pcap(dir, "influxdata__telegraf/telegraf_sflow_issue_18876.pcap", g, &c), 1);
	CHECK_EQ_U64(g->n_ctr, 1);
	CHECK_EQ_U64(g->ctr[0].source_id_index, 1258293248u);
	CHECK_EQ_U64(g->ctr[0].in_octets, 59347538341644ull);
	CHECK_EQ_U64(g->ctr[0].dot3_fcs_errors, 58690);
	/* tshark: sflow_245.ifindex 1258293248, sflow_245.ifspeed 10000000000 */
	CHECK_EQ_U64(g->n_if, 1);
	CHECK_EQ_U64(g->ifs[0].if_index, 1258293248u);
	CHECK_EQ_U64(g->ifs[0].speed, 10000000000ull);

	/* tshark: one counter sample, ifindex 101, ifspeed 1000000000 */
	CHECK_EQ_U64(decode_pcap(dir, "influxdata__telegraf/telegraf_sflow_issue_15918.pcap", g, &c), 1);
	CHECK_EQ_U64(g->n_if, 1);
	CHECK_EQ_U64(g->ifs[0].if_index, 101);
	CHECK_EQ_U64(g->ifs[0].speed, 1000000000ull);
	CHECK_EQ_U64(g->n_if_bad, 0);

	CHECK_EQ_U64(decode_pcap(dir, "influxdata__telegraf/telegraf_sflow_issue_15375.pcap", g, &c), 1);
	CHECK_EQ_U64(g->n_drop, 1);
	CHECK_EQ_U64(g->drop.drops, 256);
	CHECK_EQ_U64(c.sflow_drop_samples, 1);
	free(g);
}

/*
 * Two raw header records in one sample: the first describes the packet; a
 * second (here an Ethernet header announcing IPv6 and nothing else) must
 * neither replace nor mix into its fields.
 */
static void
test_second_header_ignored(void)
{
	sb			s = {0};
	got			g;
	gf_counters c;
	gf_error	err;
	size_t		smp,
				rec;
	static const uint8_t src[4] = {10, 1, 2, 3};
	static const uint8_t eth6[16] = {
		0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x86, 0xdd, 0, 0
	};

	sb_sflow_header(&s, AGENT, 0, 1, 0, 1);
	smp = sb_open(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 1);
	sb_u32(&s, 0);
	sb_u32(&s, 0);
	sb_u32(&s, 1);
	sb_u32(&s, 2);
	sb_u32(&s, 2);
	sb_rec_header_ipv4_tcp(&s, 1514);
	rec = sb_open(&s, 1);
	sb_u32(&s, 1);				/* Ethernet */
	sb_u32(&s, 60);				/* frame length */
	sb_u32(&s, 0);
	sb_u32(&s, 14);				/* header bytes */
	sb_bytes(&s, eth6, 16);		/* 14 bytes + 2 padding */
	sb_close(&s, rec);
	sb_close(&s, smp);

	CHECK_EQ_U64(run(&s, &g, &c, &err), GF_OK);
	CHECK_EQ_U64(g.n_flows, 1);
	CHECK_EQ_U64(g.flows[0].bytes, 1514);
	CHECK_EQ_U64(g.flows[0].etype, 0x0800);
	CHECK(g.flows[0].src_addr.family == 4 &&
		  memcmp(g.flows[0].src_addr.bytes, src, 4) == 0);
	CHECK_EQ_U64(g.flows[0].proto, 6);
	CHECK_EQ_U64(g.flows[0].src_port, 40000);
}

int
main(void)
{
	test_mixed();
	test_interface_speed();
	test_mixed_prefixes();
	test_expanded_sampled_ipv4();
	test_header_wins();
	test_second_header_ignored();
	test_drop_sample();
	test_drop_record_short();
	test_errors();
	test_header_unparsed();
	test_limits();
	test_gateway_empty_path();
	test_expanded_counters();
	test_captures();
	UNIT_MAIN_END();
}
