/*
 * test_listen_uri.c
 *    Unit tests for the goflow2plus.listen parser: GoFlow2's URI forms,
 *    the canonical text, the bounds, and bad inputs, each of which must be
 *    refused with a message that names the faulty part.  Expected values
 *    are written from the URI syntax by hand, not copied from output.
 */
#include "listen_uri.h"

#include "unit.h"

/* Parse, expecting failure whose message contains 'needle'. */
static void
expect_bad(const char *input, const char *needle, int line)
{
	gf_listen_list l;
	char		err[512];
	int			rc = gf_listen_parse(input, &l, err, sizeof(err));

	if (rc == 0)
	{
		unit_failed++;
		fprintf(stderr, "line %d: \"%s\" was accepted\n", line, input);
		return;
	}
	if (strstr(err, needle) == NULL)
	{
		unit_failed++;
		fprintf(stderr, "line %d: \"%s\": message \"%s\" lacks \"%s\"\n",
				line, input, err, needle);
		return;
	}
	unit_passed++;
}

#define BAD(input, needle) expect_bad(input, needle, __LINE__)

static void
test_default(void)
{
	gf_listen_list l;
	char		err[256];

	CHECK(gf_listen_parse("sflow://:6343,netflow://:2055", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 2);
	CHECK_EQ_U64(l.sockets, 2);
	CHECK(l.uri[0].proto == GF_PROTO_SFLOW);
	CHECK(l.uri[0].family == GF_LISTEN_ANY);
	CHECK_EQ_U64(l.uri[0].port, 6343);
	CHECK_EQ_U64(l.uri[0].count, 1);
	CHECK_STR(l.uri[0].text, "sflow://:6343");
	CHECK(l.uri[1].proto == GF_PROTO_NETFLOW);
	CHECK_EQ_U64(l.uri[1].port, 2055);
	CHECK_STR(l.uri[1].text, "netflow://:2055");
}

static void
test_forms(void)
{
	gf_listen_list l;
	char		err[256];
	static const uint8_t lo4[4] = {127, 0, 0, 1};
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	CHECK(gf_listen_parse(" netflow://127.0.0.1:42055 , sflow://127.0.0.1:46343?count=2 ",
						  &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 2);
	CHECK_EQ_U64(l.sockets, 3);
	CHECK(l.uri[0].family == GF_LISTEN_IPV4);
	CHECK(memcmp(l.uri[0].addr, lo4, 4) == 0);
	CHECK_EQ_U64(l.uri[0].port, 42055);
	CHECK_STR(l.uri[0].text, "netflow://127.0.0.1:42055");
	CHECK_EQ_U64(l.uri[1].count, 2);
	CHECK_STR(l.uri[1].text, "sflow://127.0.0.1:46343?count=2");

	CHECK(gf_listen_parse("flow://[::1]:9995", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 1);
	CHECK(l.uri[0].proto == GF_PROTO_AUTO);
	CHECK(l.uri[0].family == GF_LISTEN_IPV6);
	CHECK(memcmp(l.uri[0].addr, lo6, 16) == 0);
	CHECK_STR(l.uri[0].text, "flow://[::1]:9995");

	/* Canonical text folds the scheme's case and the IPv6 spelling. */
	CHECK(gf_listen_parse("NetFlow://[0:0::0:1]:1?count=1", &l, err, sizeof(err)) == 0);
	CHECK_STR(l.uri[0].text, "netflow://[::1]:1");
	CHECK_EQ_U64(l.uri[0].port, 1);

	CHECK(gf_listen_parse("sflow://:65535?count=64", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.uri[0].port, 65535);
	CHECK_EQ_U64(l.sockets, 64);

	/* Different ports, or disjoint addresses on one port, may coexist. */
	CHECK(gf_listen_parse("netflow://127.0.0.1:2055,sflow://127.0.0.2:2055,flow://[::1]:2055",
						  &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 3);
}

static void
test_empty(void)
{
	gf_listen_list l;
	char		err[256];

	l.n = 99;
	CHECK(gf_listen_parse("", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 0);
	CHECK(gf_listen_parse("   ", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 0);
	CHECK(gf_listen_parse(NULL, &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.sockets, 0);
}

static void
test_bad(void)
{
	char		longbuf[GF_LISTEN_INPUT_MAX + 16];
	char		many[2048];
	size_t		off = 0;
	int			i;

	BAD("netflow:2055", "no scheme");
	BAD(":2055", "no scheme");
	BAD("ipfix://:4739", "unknown scheme \"ipfix\"");
	BAD("netflow://", "a port is required");
	BAD("netflow://127.0.0.1", "a port is required");
	BAD("netflow://:", "the port is empty");
	BAD("netflow://:0", "port \"0\"");
	BAD("netflow://:65536", "port \"65536\"");
	BAD("netflow://:123456", "port \"123456\"");
	BAD("netflow://:-1", "port \"-1\"");
	BAD("netflow://:+80", "port \"+80\"");
	BAD("netflow://:0x10", "port \"0x10\"");
	BAD("netflow://:20 55", "port \"20 55\"");
	BAD("netflow://localhost:2055", "\"localhost\" is not a numeric IPv4 address");
	BAD("netflow://256.1.1.1:2055", "\"256.1.1.1\" is not a numeric IPv4");
	BAD("netflow://::1:2055", "must be written in brackets");
	BAD("netflow://[::1:2055", "without a closing");
	BAD("netflow://[::1]2055", "a port is required after");
	BAD("netflow://[::1]", "a port is required after");
	BAD("netflow://[1.2.3.4]:2055", "\"1.2.3.4\" is not an IPv6 address");
	BAD("netflow://[fe80::1%eth0]:2055", "is not an IPv6 address");
	BAD("netflow://:2055/path", "unexpected path");
	BAD("netflow://user@:2055", "user information");
	BAD("netflow://:2055?count=0", "count \"0\"");
	BAD("netflow://:2055?count=65", "count \"65\"");
	BAD("netflow://:2055?count=", "count \"\"");
	BAD("netflow://:2055?count=abc", "count \"abc\"");
	BAD("netflow://:2055?count", "has no value");
	BAD("netflow://:2055?workers=2", "unknown parameter \"workers\"");
	BAD("netflow://:2055?count=2&count=3", "count given twice");
	BAD("netflow://:2055,", "empty listen entry");
	BAD(",netflow://:2055", "empty listen entry");
	BAD("netflow://:2055,,sflow://:6343", "empty listen entry");
	BAD("netflow://:2055,sflow://:2055", "same port");
	BAD("netflow://0.0.0.0:2055,sflow://127.0.0.1:2055", "same port");
	BAD("netflow://127.0.0.1:2055,netflow://127.0.0.1:2055", "same port");
	BAD("netflow://[::]:2055,sflow://[::1]:2055", "same port");
	BAD("netflow://:2055?count=40,sflow://:6343?count=25", "65 sockets");
	/* The entry is quoted in the message, so the user can find it. */
	BAD("sflow://:6343,netflow://:99999", "\"netflow://:99999\"");

	memset(longbuf, 'a', sizeof(longbuf) - 1);
	longbuf[sizeof(longbuf) - 1] = '\0';
	BAD(longbuf, "characters long");

	for (i = 0; i < GF_LISTEN_MAX_ENTRIES + 1; i++)
		off += (size_t) snprintf(many + off, sizeof(many) - off, "%sflow://:%d",
								 i ? "," : "", 1000 + i);
	BAD(many, "more than 16 listen entries");
}

/* nats:// sources: written from the syntax in listen_uri.h. */
static void
test_nats(void)
{
	gf_listen_list l;
	char		err[512];
	char		url[200];

	CHECK(gf_listen_parse("nats://127.0.0.1:4222?stream=flows&consumer=pg", &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 1);
	CHECK_EQ_U64(l.sockets, 1);
	CHECK(l.uri[0].kind == GF_LISTEN_NATS);
	CHECK_STR(l.uri[0].host, "127.0.0.1");
	CHECK_EQ_U64(l.uri[0].port, 4222);
	CHECK_STR(l.uri[0].stream, "flows");
	CHECK_STR(l.uri[0].consumer, "pg");
	CHECK_STR(l.uri[0].subject, "");
	CHECK_STR(l.uri[0].text, "nats://127.0.0.1:4222?stream=flows&consumer=pg");
	gf_listen_nats_url(&l.uri[0], url, sizeof(url));
	CHECK_STR(url, "nats://127.0.0.1:4222");

	/* Parameters in any order; defaults port; host names; count. */
	CHECK(gf_listen_parse("NATS://nats-1.example.net?count=3&subject=flows.>&consumer=central_1&stream=net-flow",
						  &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.sockets, 3);
	CHECK_STR(l.uri[0].host, "nats-1.example.net");
	CHECK_EQ_U64(l.uri[0].port, 4222);
	CHECK_STR(l.uri[0].subject, "flows.>");
	CHECK_STR(l.uri[0].text, "nats://nats-1.example.net:4222?stream=net-flow&consumer=central_1&subject=flows.>&count=3");

	/* IPv6 in brackets; empty authority = goflow2plus.nats_servers. */
	CHECK(gf_listen_parse("nats://[::1]:5000?stream=s&consumer=c, nats://?stream=s&consumer=c&subject=a.*.b",
						  &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 2);
	CHECK_STR(l.uri[0].host, "::1");
	CHECK_EQ_U64(l.uri[0].port, 5000);
	gf_listen_nats_url(&l.uri[0], url, sizeof(url));
	CHECK_STR(url, "nats://[::1]:5000");
	CHECK_STR(l.uri[1].host, "");
	CHECK_EQ_U64(l.uri[1].port, 0);
	gf_listen_nats_url(&l.uri[1], url, sizeof(url));
	CHECK_STR(url, "");
	CHECK_STR(l.uri[1].text, "nats://?stream=s&consumer=c&subject=a.*.b");

	/* Beside UDP entries, even on the same port number (a remote one). */
	CHECK(gf_listen_parse("netflow://:4222,nats://10.0.0.1:4222?stream=s&consumer=c", &l, err, sizeof(err)) == 0);
	CHECK(l.uri[0].kind == GF_LISTEN_UDP);
	CHECK(l.uri[1].kind == GF_LISTEN_NATS);

	BAD("nats://127.0.0.1:4222", "needs ?stream=NAME&consumer=NAME");
	BAD("nats://127.0.0.1:4222?stream=flows", "needs ?stream=NAME&consumer=NAME");
	BAD("nats://h?stream=a.b&consumer=c", "stream \"a.b\"");
	BAD("nats://h?stream=a&consumer=c d", "consumer \"c d\"");
	BAD("nats://h?stream=a&stream=b&consumer=c", "stream given twice");
	BAD("nats://h?stream=a&consumer=c&subject=a..b", "subject \"a..b\"");
	BAD("nats://h?stream=a&consumer=c&subject=a.>.b", "subject \"a.>.b\"");
	BAD("nats://h?stream=a&consumer=c&subject=a.b*", "subject \"a.b*\"");
	BAD("nats://h?stream=a&consumer=c&durable=x", "unknown parameter \"durable\"");
	BAD("nats://h?stream=a&consumer=c&count=0", "count \"0\"");
	BAD("nats://h:0?stream=a&consumer=c", "port \"0\"");
	BAD("nats://user:pw@h?stream=a&consumer=c", "user information");
	BAD("nats://h/x?stream=a&consumer=c", "unexpected path");
	BAD("nats://[::1?stream=a&consumer=c", "without a closing");
	BAD("nats://[zz]:1?stream=a&consumer=c", "not an IPv6 address");
	BAD("nats://bad_host?stream=a&consumer=c", "not a host name");
	BAD("nats://h?stream&consumer=c", "has no value");
	BAD("natsx://h?stream=a&consumer=c", "unknown scheme");
}

/* A message never overruns a short buffer. */
static void
test_short_errbuf(void)
{
	gf_listen_list l;
	char		err[8];

	memset(err, 'x', sizeof(err));
	CHECK(gf_listen_parse("bogus", &l, err, 5) == -1);
	CHECK(strlen(err) == 4);
	CHECK(err[5] == 'x');
	CHECK(gf_listen_parse("bogus", &l, NULL, 0) == -1);
}

/* Same address and scheme, whatever the count; anything else differs. */
static void
test_same_address(void)
{
	gf_listen_list a;
	gf_listen_list b;

	CHECK(gf_listen_parse("sflow://:6343?count=2,netflow://127.0.0.1:2055,flow://[::1]:9995",
						  &a, NULL, 0) == 0);
	CHECK(gf_listen_parse("sflow://:6343?count=3,netflow://127.0.0.1:2056,flow://[::1]:9995,"
						  "flow://127.0.0.1:2055,sflow://0.0.0.0:6343",
						  &b, NULL, 0) != 0);	/* overlap: refused */
	CHECK(gf_listen_parse("sflow://:6343?count=3,netflow://127.0.0.1:2056,flow://[::1]:9995,"
						  "flow://127.0.0.1:2055",
						  &b, NULL, 0) == 0);
	CHECK(gf_listen_same_address(&a.uri[0], &b.uri[0]));	/* count differs */
	CHECK(!gf_listen_same_address(&a.uri[1], &b.uri[1]));	/* port differs */
	CHECK(gf_listen_same_address(&a.uri[2], &b.uri[2]));
	CHECK(!gf_listen_same_address(&a.uri[1], &b.uri[3]));	/* scheme differs */
	CHECK(gf_listen_parse("sflow://0.0.0.0:6343", &b, NULL, 0) == 0);
	CHECK(!gf_listen_same_address(&a.uri[0], &b.uri[0]));	/* wildcard v6+v4 vs v4 */
	CHECK(gf_listen_parse("netflow://127.0.0.2:2055", &b, NULL, 0) == 0);
	CHECK(!gf_listen_same_address(&a.uri[1], &b.uri[0]));	/* address differs */
}

int
main(void)
{
	test_same_address();
	test_default();
	test_forms();
	test_empty();
	test_bad();
	test_nats();
	test_short_errbuf();
	UNIT_MAIN_END();
}
