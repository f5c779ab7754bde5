/*
 * gf_pcap_decode.c
 *    Standalone test tool: read a classic pcap file of exported flow
 *    datagrams, hand every UDP payload to the core decoder (gf_decode with
 *    GF_PROTO_AUTO, one decoder for the whole file, so templates learnt in
 *    one packet serve the next) and print one JSON line per flow record.
 *    The conformance scripts compare that output with tshark's decode of
 *    the same file.
 *
 *    Input: classic pcap (not pcapng), either byte order, microsecond or
 *    nanosecond timestamps; link types Ethernet (with any stack of
 *    802.1Q/QinQ tags), Linux cooked v1 (113) and v2 (276), raw IP (101,
 *    12, 228, 229) and BSD loopback (0).  IPv4 and IPv6 (hop-by-hop,
 *    routing and destination options headers are walked); IP fragments
 *    are skipped and counted, since a flow datagram split over fragments
 *    cannot be decoded from one of them.
 *
 *    The exporter is the IP source address, the receive time the pcap
 *    timestamp.
 *
 *    Usage: gf_pcap_decode [-s] [-f] [-i] [-p auto|netflow|sflow] file.pcap
 *      -s  print each decode error and a summary of counters to stderr
 *      -i  print interface facts (the sink's interface callback: names
 *          from options data, sFlow speeds) instead of flow records, one
 *          {"interface":{...}} line each
 *      -f  add "frame" (1-based pcap frame number, as tshark counts) as the
 *          first key of every line: the frame whose datagram produced the
 *          record (for data that waited for its template, the frame that
 *          brought the template)
 *      -p  protocol to listen as (default auto, as flow://)
 *
 *    Exit status: 0 when the file was read to its end (decode errors are
 *    counted, not fatal), 1 on a bad file or usage.
 *
 *    Build: test/tools/build.sh (every core source, the generated protobuf
 *    code and this file, with ASan and UBSan, into build/tools/).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "flow_json.h"

/* A frame larger than this is not a flow datagram we could decode. */
#define PD_MAX_FRAME	(256 * 1024)
#define PD_MAX_VLANS	8
#define PD_MAX_V6_EXT	8

typedef struct pd_stats
{
	uint64_t	frames;
	uint64_t	truncated_frames;	/* captured length shorter than needed */
	uint64_t	non_ip;
	uint64_t	non_udp;
	uint64_t	ip_fragments;
	uint64_t	udp_datagrams;
	uint64_t	decode_errors;
	uint64_t	flows;
} pd_stats;

typedef struct pd_ctx
{
	bool		with_frame;
	uint64_t	interfaces;
	uint64_t	frame_no;
	pd_stats	st;
	char		json[GF_FLOW_JSON_MAX];
} pd_ctx;

static uint32_t
pd_rd32(const uint8_t *p, bool swap)
{
	uint32_t	v;

	memcpy(&v, p, 4);
	if (swap)
		v = __builtin_bswap32(v);
	return v;
}

static uint16_t
pd_be16(const uint8_t *p)
{
	return (uint16_t) ((p[0] << 8) | p[1]);
}

static void
pd_on_flow(void *arg, const gf_flow *f)
{
	pd_ctx	   *c = arg;
	size_t		n = gf_flow_json(f, c->json, sizeof(c->json));

	c->st.flows++;
	if (n == 0)
	{
		fprintf(stderr, "frame %llu: flow record does not fit the JSON buffer\n",
				(unsigned long long) c->frame_no);
		return;
	}
	if (c->with_frame)
		printf("{\"frame\":%llu,%s\n", (unsigned long long) c->frame_no,
			   c->json + 1);
	else
		printf("%s\n", c->json);
}

/* A JSON string; the texts are printable UTF-8 already, but may hold " or \\. */
static void
pd_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
pd_on_interface(void *arg, const gf_if_info *i)
{
	pd_ctx	   *c = arg;
	char		addr[64];

	c->interfaces++;
	if (c->with_frame)
		printf("{\"frame\":%llu,", (unsigned long long) c->frame_no);
	else
		putchar('{');
	printf("\"interface\":{\"type\":\"%s\",\"exporter\":\"%s\",\"domain\":%u,\"if_index\":%u",
		   gf_flow_type_name(i->type),
		   gf_addr_format(&i->exporter, addr, sizeof(addr)),
		   (unsigned) i->domain, (unsigned) i->if_index);
	if (i->has_name)
	{
		printf(",\"name\":");
		pd_json_str(i->name);
	}
	if (i->has_description)
	{
		printf(",\"description\":");
		pd_json_str(i->description);
	}
	if (i->has_speed)
		printf(",\"speed\":%llu", (unsigned long long) i->speed);
	printf("}}\n");
}

/*
 * Find the UDP payload inside an IP packet.  Returns false (and counts
 * why) when the packet is not a whole UDP datagram.
 */
static bool
pd_ip_udp(pd_ctx *c, const uint8_t *p, size_t len, gf_datagram *dg)
{
	size_t		l4;
	size_t		end;
	uint8_t		next;
	size_t		udp_len;

	if (len < 1)
	{
		c->st.truncated_frames++;
		return false;
	}
	if ((p[0] >> 4) == 4)
	{
		size_t		ihl;
		size_t		total;
		uint16_t	frag;

		if (len < 20)
		{
			c->st.truncated_frames++;
			return false;
		}
		ihl = (size_t) (p[0] & 0x0f) * 4;
		total = pd_be16(p + 2);
		if (ihl < 20 || total < ihl || len < ihl)
		{
			c->st.truncated_frames++;
			return false;
		}
		frag = pd_be16(p + 6);
		if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0)
		{
			c->st.ip_fragments++;
			return false;
		}
		if (p[9] != 17)
		{
			c->st.non_udp++;
			return false;
		}
		gf_addr_set_v4(&dg->exporter, p + 12);
		/* Ethernet padding may follow the IP packet: trust total length. */
		end = total < len ? total : len;
		l4 = ihl;
	}
	else if ((p[0] >> 4) == 6)
	{
		int			hops;
		size_t		plen;

		if (len < 40)
		{
			c->st.truncated_frames++;
			return false;
		}
		plen = pd_be16(p + 4);
		gf_addr_set_v6(&dg->exporter, p + 8);
		next = p[6];
		end = 40 + plen < len ? 40 + plen : len;
		l4 = 40;
		for (hops = 0; hops < PD_MAX_V6_EXT; hops++)
		{
			if (next == 0 || next == 43 || next == 60)
			{
				if (l4 + 8 > end)
				{
					c->st.truncated_frames++;
					return false;
				}
				next = p[l4];
				l4 += ((size_t) p[l4 + 1] + 1) * 8;
			}
			else if (next == 44)
			{
				c->st.ip_fragments++;
				return false;
			}
			else
				break;
		}
		if (next != 17)
		{
			c->st.non_udp++;
			return false;
		}
	}
	else
	{
		c->st.non_ip++;
		return false;
	}

	if (l4 + 8 > end)
	{
		c->st.truncated_frames++;
		return false;
	}
	udp_len = pd_be16(p + l4 + 4);
	dg->exporter_port = pd_be16(p + l4);
	dg->data = p + l4 + 8;
	dg->len = end - (l4 + 8);
	/* A UDP length of 0 happens for jumbograms; otherwise it bounds. */
	if (udp_len >= 8 && udp_len - 8 < dg->len)
		dg->len = udp_len - 8;
	if (udp_len >= 8 && udp_len - 8 > dg->len)
	{
		/* The capture was cut short (snaplen): not a whole datagram. */
		c->st.truncated_frames++;
		return false;
	}
	return true;
}

/* Strip the link layer; false when the frame carries no IP. */
static bool
pd_link(pd_ctx *c, uint32_t linktype, bool swap, const uint8_t *p, size_t len,
		const uint8_t **ip, size_t *iplen)
{
	size_t		off;
	uint16_t	etype;
	int			tags;

	switch (linktype)
	{
		case 1:					/* Ethernet */
			if (len < 14)
				goto truncated;
			etype = pd_be16(p + 12);
			off = 14;
			for (tags = 0; tags < PD_MAX_VLANS &&
				 (etype == 0x8100 || etype == 0x88a8 || etype == 0x9100); tags++)
			{
				if (len < off + 4)
					goto truncated;
				etype = pd_be16(p + off + 2);
				off += 4;
			}
			break;
		case 113:				/* Linux cooked v1: protocol at 14 */
			if (len < 16)
				goto truncated;
			etype = pd_be16(p + 14);
			off = 16;
			break;
		case 276:				/* Linux cooked v2: protocol at 0 */
			if (len < 20)
				goto truncated;
			etype = pd_be16(p);
			off = 20;
			break;
		case 12:
		case 101:				/* raw IP, version from the first nibble */
		case 228:
		case 229:
			*ip = p;
			*iplen = len;
			return true;
		case 0:					/* BSD loopback: family in file byte order */
			{
				uint32_t	fam;

				if (len < 4)
					goto truncated;
				fam = pd_rd32(p, swap);
				if (fam != 2 && fam != 24 && fam != 28 && fam != 30)
				{
					c->st.non_ip++;
					return false;
				}
				*ip = p + 4;
				*iplen = len - 4;
				return true;
			}
		default:
			c->st.non_ip++;
			return false;
	}
	if (etype != 0x0800 && etype != 0x86dd)
	{
		c->st.non_ip++;
		return false;
	}
	*ip = p + off;
	*iplen = len - off;
	return true;

truncated:
	c->st.truncated_frames++;
	return false;
}

static void
pd_print_summary(pd_ctx *c, gf_decoder *d)
{
	gf_counters *k = gf_decoder_counters(d);

	fprintf(stderr, "{\"summary\":{\"frames\":%llu,\"udp_datagrams\":%llu,"
			"\"ip_fragments\":%llu,\"non_ip\":%llu,\"non_udp\":%llu,"
			"\"truncated_frames\":%llu,\"decode_errors\":%llu,\"flows\":%llu",
			(unsigned long long) c->st.frames,
			(unsigned long long) c->st.udp_datagrams,
			(unsigned long long) c->st.ip_fragments,
			(unsigned long long) c->st.non_ip,
			(unsigned long long) c->st.non_udp,
			(unsigned long long) c->st.truncated_frames,
			(unsigned long long) c->st.decode_errors,
			(unsigned long long) c->st.flows);
	fprintf(stderr, "},\"counters\":{");
#define PD_PRINT_COUNTER(name, desc) \
	fprintf(stderr, "%s\"" #name "\":%llu", first ? "" : ",", \
			(unsigned long long) k->name); \
	first = false;
	{
		bool		first = true;

		GF_COUNTER_LIST(PD_PRINT_COUNTER)
	}
#undef PD_PRINT_COUNTER
	fprintf(stderr, "}}\n");
}

static void
pd_usage(void)
{
	fprintf(stderr, "usage: gf_pcap_decode [-s] [-f] [-i] [-p auto|netflow|sflow] file.pcap\n");
}

int
main(int argc, char **argv)
{
	pd_ctx	   *c;
	gf_decoder *d;
	gf_sink		sink;
	gf_proto	proto = GF_PROTO_AUTO;
	bool		summary = false;
	bool		with_frame = false;
	bool		interfaces = false;
	FILE	   *fp = NULL;
	uint8_t		gh[24];
	uint8_t		rh[16];
	uint8_t    *frame;
	uint32_t	magic;
	bool		swap;
	bool		nsec;
	uint32_t	linktype;
	uint64_t	last_expire_s = 0;
	int			opt;
	int			status = 0;

	while ((opt = getopt(argc, argv, "sfip:")) != -1)
	{
		switch (opt)
		{
			case 's':
				summary = true;
				break;
			case 'i':
				interfaces = true;
				break;
			case 'f':
				with_frame = true;
				break;
			case 'p':
				if (strcmp(optarg, "auto") == 0)
					proto = GF_PROTO_AUTO;
				else if (strcmp(optarg, "netflow") == 0)
					proto = GF_PROTO_NETFLOW;
				else if (strcmp(optarg, "sflow") == 0)
					proto = GF_PROTO_SFLOW;
				else
				{
					pd_usage();
					return 1;
				}
				break;
			default:
				pd_usage();
				return 1;
		}
	}
	if (optind + 1 != argc)
	{
		pd_usage();
		return 1;
	}

	c = calloc(1, sizeof(*c));
	frame = malloc(PD_MAX_FRAME);
	d = gf_decoder_new(NULL);
	if (c == NULL || frame == NULL || d == NULL)
	{
		fprintf(stderr, "gf_pcap_decode: out of memory\n");
		free(c);
		free(frame);
		gf_decoder_free(d);
		return 1;
	}
	c->with_frame = with_frame;

	fp = fopen(argv[optind], "rb");
	if (fp == NULL)
	{
		fprintf(stderr, "gf_pcap_decode: %s: %s\n", argv[optind], strerror(errno));
		status = 1;
		goto out;
	}
	if (fread(gh, 1, sizeof(gh), fp) != sizeof(gh))
	{
		fprintf(stderr, "gf_pcap_decode: %s: too short for a pcap header\n", argv[optind]);
		status = 1;
		goto out;
	}
	memcpy(&magic, gh, 4);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = true;
	else
	{
		fprintf(stderr, "gf_pcap_decode: %s: not a classic pcap file (magic 0x%08x; pcapng is not read)\n",
				argv[optind], magic);
		status = 1;
		goto out;
	}
	nsec = (swap ? __builtin_bswap32(magic) : magic) == 0xa1b23c4d;
	/* The low 16 bits hold the link type; the upper bits are FCS info. */
	linktype = pd_rd32(gh + 20, swap) & 0xffff;

	memset(&sink, 0, sizeof(sink));
	if (interfaces)
		sink.interface = pd_on_interface;
	else
		sink.flow = pd_on_flow;
	sink.arg = c;

	for (;;)
	{
		size_t		got = fread(rh, 1, sizeof(rh), fp);
		uint32_t	ts_s;
		uint32_t	ts_frac;
		uint32_t	incl;
		const uint8_t *ip;
		size_t		iplen;
		gf_datagram dg;
		gf_error	err;
		gf_rc		rc;

		if (got == 0)
			break;
		if (got != sizeof(rh))
		{
			fprintf(stderr, "gf_pcap_decode: record header cut short after frame %llu\n",
					(unsigned long long) c->frame_no);
			status = 1;
			break;
		}
		ts_s = pd_rd32(rh, swap);
		ts_frac = pd_rd32(rh + 4, swap);
		incl = pd_rd32(rh + 8, swap);
		if (incl > PD_MAX_FRAME)
		{
			fprintf(stderr, "gf_pcap_decode: frame %llu claims %u bytes (limit %d)\n",
					(unsigned long long) c->frame_no + 1, incl, PD_MAX_FRAME);
			status = 1;
			break;
		}
		if (fread(frame, 1, incl, fp) != incl)
		{
			fprintf(stderr, "gf_pcap_decode: frame %llu cut short\n",
					(unsigned long long) c->frame_no + 1);
			status = 1;
			break;
		}
		c->frame_no++;
		c->st.frames++;

		memset(&dg, 0, sizeof(dg));
		dg.time_received_ns = (uint64_t) ts_s * 1000000000u +
			(nsec ? ts_frac : (uint64_t) ts_frac * 1000u);

		/* Drop data sets that waited too long, as a worker does. */
		if (ts_s != last_expire_s)
		{
			gf_decoder_expire(d, dg.time_received_ns);
			last_expire_s = ts_s;
		}

		if (!pd_link(c, linktype, swap, frame, incl, &ip, &iplen))
			continue;
		if (!pd_ip_udp(c, ip, iplen, &dg))
			continue;
		c->st.udp_datagrams++;
		rc = gf_decode(d, proto, &dg, &sink, &err);
		while (gf_decoder_release(d, dg.time_received_ns, &sink))
			;
		if (rc != GF_OK)
		{
			c->st.decode_errors++;
			if (summary)
				fprintf(stderr, "frame %llu: error %d at offset %zu: %s\n",
						(unsigned long long) c->frame_no, (int) err.code,
						err.offset, err.msg);
		}
	}
	fflush(stdout);
	if (summary)
		pd_print_summary(c, d);
out:
	if (fp != NULL)
		fclose(fp);
	gf_decoder_free(d);
	free(frame);
	free(c);
	return status;
}
