/*
 * test_netflow_quirks.c
 *    What real exporters send outside the letter of NetFlow v9 and that
 *    tshark and GoFlow2 accept, against hand-built datagrams:
 *      - template fields of length 65535 in v9, encoded as IPFIX
 *        variable-length fields (H3C NetStream; GoFlow2 PR 77);
 *      - zeros after the last flowset, the datagram padded to a fixed
 *        size (nfdump issue 73, GoFlow2 issue 499);
 *      - FIRST/LAST_SWITCHED in 8 bytes (Cisco NX-OS, nfdump issue 80);
 *      - Cisco ASA NSEL records whose only counters are initiatorOctets /
 *        responderOctets (231/232) and initiator/responderPackets
 *        (298/299): their sum is the record's bytes and packets.
 *    (v1/v5/v7/v8 padding is in test_netflow_legacy.c and test_netflow_v5.c.)
 *    Expected values are worked out by hand from the bytes written here.
 */
#include "unit.h"
#include "nf_packet_builder.h"

#define CNT(d) gf_decoder_counters(d)
#define SECS 1700000000u
#define SECS_NS UINT64_C(1700000000000000000)
#define UPTIME 500000u
#define MS UINT64_C(1000000)

static pb	pkt;
static collect col;

static void
tfield(pb *p, uint16_t id, uint16_t len)
{
	pb_u16(p, id);
	pb_u16(p, len);
}

/* A variable-length value as RFC 7011 section 7 encodes it. */
static void
varlen(pb *p, const char *s, size_t n)
{
	if (n < 255)
		pb_u8(p, n);
	else
	{
		pb_u8(p, 255);
		pb_u16(p, n);
	}
	while (n-- > 0)
		pb_u8(p, *s ? *s : 'x');
}

static void
test_v9_varlen(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;
	char		buf[64];

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, UPTIME, SECS, 1, 7);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 300);
	pb_u16(&pkt, 5);
	tfield(&pkt, 8, 4);			/* IPV4_SRC_ADDR */
	tfield(&pkt, 96, 65535);	/* APPLICATION_NAME, variable */
	tfield(&pkt, 1, 4);			/* IN_BYTES */
	tfield(&pkt, 82, 65535);	/* IF_NAME, variable */
	tfield(&pkt, 2, 4);			/* IN_PKTS */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 300);
	/* 3 records: strings of 3 and 0 bytes, of 300 bytes (3-byte length) */
	pb_ip4(&pkt, 10, 0, 0, 1);
	varlen(&pkt, "dns", 3);
	pb_u32(&pkt, 111);
	varlen(&pkt, "", 0);
	pb_u32(&pkt, 1);
	pb_ip4(&pkt, 10, 0, 0, 2);
	varlen(&pkt, "", 0);
	pb_u32(&pkt, 222);
	varlen(&pkt, "eth0", 4);
	pb_u32(&pkt, 2);
	pb_ip4(&pkt, 10, 0, 0, 3);
	varlen(&pkt, "", 300);
	pb_u32(&pkt, 333);
	varlen(&pkt, "", 0);
	pb_u32(&pkt, 3);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 3);
	CHECK_STR(gf_addr_format(&col.flows[2].src_addr, buf, sizeof(buf)), "10.0.0.3");
	CHECK_EQ_U64(col.flows[0].bytes, 111);
	CHECK_EQ_U64(col.flows[1].bytes, 222);
	CHECK_EQ_U64(col.flows[2].bytes, 333);
	CHECK_EQ_U64(col.flows[2].packets, 3);
	CHECK_EQ_U64(CNT(d)->nf_v9_varlen_fields, 2);
	CHECK_EQ_U64(CNT(d)->packets_malformed, 0);

	/*
	 * A varlen length running past the set: an error, no crash.  (The
	 * set is at least the template's 14-byte minimum, else it would be
	 * set padding.)
	 */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, UPTIME, SECS, 2, 7);
	s = pb_set_begin(&pkt, 300);
	pb_ip4(&pkt, 10, 0, 0, 4);
	pb_u8(&pkt, 200);			/* 200 bytes announced, 11 follow */
	pb_zero(&pkt, 11);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK_EQ_U64(col.n, 0);
	gf_decoder_free(d);
}

static void
v9_small_template(pb *p, uint16_t id, uint16_t time_len)
{
	size_t		s = pb_set_begin(p, 0);

	pb_u16(p, id);
	pb_u16(p, 5);
	tfield(p, 8, 4);
	tfield(p, 12, 4);
	tfield(p, 1, 4);
	tfield(p, 22, time_len);	/* FIRST_SWITCHED */
	tfield(p, 21, time_len);	/* LAST_SWITCHED */
	pb_set_end(p, s);
}

static void
test_v9_zero_tail(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, UPTIME, SECS, 1, 8);
	v9_small_template(&pkt, 301, 4);
	s = pb_set_begin(&pkt, 301);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_u32(&pkt, 40);
	pb_u32(&pkt, UPTIME - 2000);
	pb_u32(&pkt, UPTIME - 1000);
	pb_set_end(&pkt, s);
	/* zeros up to 1408 bytes, as some exporters send */
	pb_zero(&pkt, 1408 - pkt.n);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].bytes, 40);
	CHECK_EQ_U64(CNT(d)->nf_padded_datagrams, 1);
	/* 20 header + 28 template set + 24 data set */
	CHECK_EQ_U64(CNT(d)->nf_padding_bytes, 1408 - 20 - 28 - 24);
	CHECK_EQ_U64(CNT(d)->packets_malformed, 0);

	/* A non-zero byte in the tail is still an error (a set of length 0). */
	pkt.b[pkt.n - 1] = 1;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(col.n, 1);		/* the records before it stay emitted */

	/* IPFIX gets no such allowance: its message length is exact. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 8);
	pb_zero(&pkt, 8);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(CNT(d)->nf_padded_datagrams, 1);
	gf_decoder_free(d);
}

static void
test_v9_nxos_8byte_times(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, UPTIME, SECS, 1, 9);
	v9_small_template(&pkt, 302, 8);
	s = pb_set_begin(&pkt, 302);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_u32(&pkt, 50);
	pb_u64(&pkt, UPTIME - 9000);	/* a 32-bit uptime behind 4 zero bytes */
	pb_u64(&pkt, UPTIME - 500);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, SECS_NS - 9000 * MS);
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, SECS_NS - 500 * MS);
	gf_decoder_free(d);
}

/* NSEL: 233 firewallEvent, then the counters the template gives. */
static void
test_nsel_counters(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 4, UPTIME, SECS, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 263);			/* bytes only */
	pb_u16(&pkt, 4);
	tfield(&pkt, 8, 4);
	tfield(&pkt, 233, 1);
	tfield(&pkt, 231, 4);		/* initiatorOctets */
	tfield(&pkt, 232, 4);		/* responderOctets */
	pb_u16(&pkt, 264);			/* bytes and packets, 8-byte counters */
	pb_u16(&pkt, 5);
	tfield(&pkt, 8, 4);
	tfield(&pkt, 231, 8);
	tfield(&pkt, 232, 8);
	tfield(&pkt, 298, 4);		/* initiatorPackets */
	tfield(&pkt, 299, 4);		/* responderPackets */
	pb_u16(&pkt, 265);			/* IN_BYTES beside them: it wins */
	pb_u16(&pkt, 3);
	tfield(&pkt, 8, 4);
	tfield(&pkt, 231, 4);
	tfield(&pkt, 1, 4);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 263);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_u8(&pkt, 5);				/* update */
	pb_u32(&pkt, 1000);
	pb_u32(&pkt, 5000);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 264);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_u64(&pkt, UINT64_MAX - 5);	/* the sum saturates */
	pb_u64(&pkt, 10);
	pb_u32(&pkt, 3);
	pb_u32(&pkt, 4);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 265);
	pb_ip4(&pkt, 10, 0, 0, 3);
	pb_u32(&pkt, 777);
	pb_u32(&pkt, 42);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 3);
	CHECK_EQ_U64(col.flows[0].bytes, 6000);
	CHECK(GF_HAS(&col.flows[0], GF_F_FW_EVENT));
	CHECK_EQ_U64(col.flows[0].fw_event, 5);
	CHECK(!GF_HAS(&col.flows[1], GF_F_FW_EVENT));
	CHECK(!GF_HAS(&col.flows[0], GF_F_PACKETS));
	CHECK_EQ_U64(col.flows[1].bytes, UINT64_MAX);
	CHECK_EQ_U64(col.flows[1].packets, 7);
	CHECK_EQ_U64(col.flows[2].bytes, 42);
	gf_decoder_free(d);
}

int
main(void)
{
	test_v9_varlen();
	test_v9_zero_tail();
	test_v9_nxos_8byte_times();
	test_nsel_counters();
	UNIT_MAIN_END();
}
