/*
 * test_exporter_acl.c
 *    Unit tests for the exporter allowlist (goflow2plus.allowed_exporters):
 *    parsing of IPv4 and IPv6 CIDR lists, refusal of bad entries with a
 *    message naming them, and matching at prefix boundaries.  Addresses
 *    and the expected answers are worked out by hand from the prefixes.
 */
#include "exporter_acl.h"

#include <arpa/inet.h>

#include "unit.h"

static gf_exporter_acl acl;

static gf_addr
addr(const char *text)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = 6;
	return a;
}

static bool
allows(const char *text)
{
	gf_addr		a = addr(text);

	return gf_exporter_acl_allows(&acl, &a);
}

static int
parse(const char *input)
{
	char		err[256];

	return gf_exporter_acl_parse(input, &acl, err, sizeof(err));
}

static void
expect_bad(const char *input, const char *needle, int line)
{
	char		err[256];

	if (gf_exporter_acl_parse(input, &acl, err, sizeof(err)) == 0)
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
test_empty_allows_all(void)
{
	CHECK(parse("") == 0);
	CHECK(acl.n == 0);
	CHECK(allows("192.0.2.1"));
	CHECK(allows("2001:db8::1"));
	CHECK(parse("   ") == 0);
	CHECK(acl.n == 0);
	CHECK(gf_exporter_acl_allows(NULL, &(gf_addr) {.family = 4}));
}

static void
test_ipv4(void)
{
	CHECK(parse(" 192.0.2.0/24 , 198.51.100.7,10.0.0.0/8") == 0);
	CHECK_EQ_U64(acl.n, 3);
	CHECK(allows("192.0.2.0"));
	CHECK(allows("192.0.2.255"));
	CHECK(!allows("192.0.3.0"));
	CHECK(!allows("192.0.1.255"));
	CHECK(allows("198.51.100.7"));	/* a bare address is a /32 */
	CHECK(!allows("198.51.100.6"));
	CHECK(!allows("198.51.100.8"));
	CHECK(allows("10.255.255.255"));
	CHECK(!allows("11.0.0.0"));
	/* An IPv4 entry never matches an IPv6 source with the same bytes. */
	CHECK(!allows("c000:0200::"));

	/* Prefix lengths that do not fall on a byte. */
	CHECK(parse("172.16.0.0/12") == 0);
	CHECK(allows("172.31.255.255"));
	CHECK(!allows("172.32.0.0"));
	CHECK(!allows("172.15.255.255"));
	CHECK(parse("127.0.0.2/31") == 0);
	CHECK(allows("127.0.0.2"));
	CHECK(allows("127.0.0.3"));
	CHECK(!allows("127.0.0.1"));

	/* /0 is every IPv4 source, and only those. */
	CHECK(parse("0.0.0.0/0") == 0);
	CHECK(allows("203.0.113.9"));
	CHECK(!allows("::1"));
}

static void
test_ipv6(void)
{
	CHECK(parse("2001:db8::/32,::1") == 0);
	CHECK(allows("2001:db8:ffff::1"));
	CHECK(!allows("2001:db9::"));
	CHECK(allows("::1"));
	CHECK(!allows("::2"));
	CHECK(!allows("127.0.0.1"));

	CHECK(parse("2001:db8:8000::/33") == 0);
	CHECK(allows("2001:db8:8000::"));
	CHECK(allows("2001:db8:ffff:ffff::"));
	CHECK(!allows("2001:db8:7fff::"));

	CHECK(parse("::/0") == 0);
	CHECK(allows("fe80::1"));
	CHECK(!allows("192.0.2.1"));
}

static void
test_mapped_entries_become_ipv4(void)
{
	/* Sources arrive as IPv4 (the worker un-maps them). */
	CHECK(parse("::ffff:192.0.2.0/120") == 0);
	CHECK_EQ_U64(acl.entry[0].family, 4);
	CHECK_EQ_U64(acl.entry[0].prefix_len, 24);
	CHECK(allows("192.0.2.77"));
	CHECK(!allows("192.0.3.1"));
	CHECK(parse("::ffff:127.0.0.1") == 0);
	CHECK(allows("127.0.0.1"));
}

static void
test_bad(void)
{
	BAD("localhost", "\"localhost\" is not a numeric IPv4 or IPv6 address");
	BAD("192.0.2.0/24,exporter.example", "\"exporter.example\"");
	BAD("192.0.2.0/33", "not between 0 and 32");
	BAD("2001:db8::/129", "not between 0 and 128");
	BAD("192.0.2.0/", "is not a number");
	BAD("192.0.2.0/x", "is not a number");
	BAD("192.0.2.0/24x", "not between");
	BAD("192.0.2.0/-1", "is not a number");
	BAD("192.0.2.1/24", "did you mean 192.0.2.0/24?");
	BAD("2001:db8::1/32", "did you mean 2001:db8::/32?");
	BAD("10.1.2.3/9", "did you mean 10.0.0.0/9?");
	BAD("192.0.2.0/24,,198.51.100.0/24", "empty entry");
	BAD("192.0.2.0/24,", "empty entry");
	BAD(",192.0.2.0/24", "empty entry");
	BAD("192.0.2.256", "is not a numeric");
	BAD("[::1]", "is not a numeric");
	/* A refused list leaves nothing half-parsed that allows a source. */
	CHECK(parse("192.0.2.0/24,bogus") != 0);
}

static void
test_limits(void)
{
	static char big[GF_ACL_MAX_ENTRIES * 20 + 100];
	size_t		o = 0;
	int			i;

	for (i = 0; i < GF_ACL_MAX_ENTRIES; i++)
		o += (size_t) snprintf(big + o, sizeof(big) - o, "%s10.%d.%d.0/24",
							   i ? "," : "", i / 256, i % 256);
	CHECK(parse(big) == 0);
	CHECK_EQ_U64(acl.n, GF_ACL_MAX_ENTRIES);
	CHECK(allows("10.3.255.9"));	/* the last entry, i = 1023 */
	CHECK(!allows("10.4.0.1"));
	snprintf(big + o, sizeof(big) - o, ",192.0.2.0/24");
	BAD(big, "more than 1024 entries");
}

int
main(void)
{
	test_empty_allows_all();
	test_ipv4();
	test_ipv6();
	test_mapped_entries_become_ipv4();
	test_bad();
	test_limits();
	UNIT_MAIN_END();
}
