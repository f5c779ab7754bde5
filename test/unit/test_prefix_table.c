/*
 * test_prefix_table.c
 *    Unit tests of the longest-prefix-match table (prefix_table.h), with
 *    every expectation worked out by hand: overlaps, most specific wins,
 *    scoped beats global, the /0 default route, /32 and /128 host routes,
 *    IPv4 and IPv6 kept apart, the edges of the first stride (8, 16 and
 *    24 bits, each forced in turn), duplicates, host bits, refusals, the
 *    memory limit, and a table copied elsewhere byte for byte.
 */
#include <arpa/inet.h>

#include "prefix_table.h"
#include "unit.h"

#define MAX_ENTRIES 32

typedef struct list
{
	gf_prefix_entry e[MAX_ENTRIES];
	size_t		n;
} list;

/* Append "addr/len" (IPv4 or IPv6 text) with a scope and value. */
static void
add(list *l, const char *cidr, uint32_t scope, uint32_t value)
{
	char		buf[64];
	char	   *slash;
	gf_prefix_entry *e = &l->e[l->n++];

	memset(e, 0, sizeof(*e));
	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	*slash = '\0';
	e->prefix_len = (uint8_t) atoi(slash + 1);
	if (strchr(buf, ':'))
	{
		e->family = 6;
		if (inet_pton(AF_INET6, buf, e->addr) != 1)
			abort();
	}
	else
	{
		e->family = 4;
		if (inet_pton(AF_INET, buf, e->addr) != 1)
			abort();
	}
	e->scope = scope;
	e->value = value;
}

/*
 * One lookup through gf_pt_lookup; the batch functions are asked the same
 * (the address in the middle of a batch of three) and must agree.
 */
static uint32_t
look(const gf_prefix_table *t, const char *text, uint32_t scope)
{
	uint8_t		a[3][16];
	uint32_t	out[3];
	uint32_t	one;

	memset(a, 0, sizeof(a));
	memset(a[2], 0xFF, 16);
	if (strchr(text, ':'))
	{
		if (inet_pton(AF_INET6, text, a[1]) != 1)
			abort();
		one = gf_pt_lookup(t, 6, a[1], scope);
		gf_pt_lookup6_batch(t, (const uint8_t (*)[16]) a, 3, scope, out);
	}
	else
	{
		uint32_t	v4[3];

		if (inet_pton(AF_INET, text, a[1]) != 1)
			abort();
		one = gf_pt_lookup(t, 4, a[1], scope);
		v4[0] = 0;
		v4[1] = (uint32_t) a[1][0] << 24 | a[1][1] << 16 | a[1][2] << 8 | a[1][3];
		v4[2] = UINT32_MAX;
		gf_pt_lookup4_batch(t, v4, 3, scope, out);
	}
	CHECK_EQ_U64(out[1], one);
	return one;
}

static gf_prefix_table *
build(const list *l, int bits4, int bits6, gf_pt_build_info *info)
{
	gf_pt_build_options o;

	memset(&o, 0, sizeof(o));
	o.first_bits4 = bits4;
	o.first_bits6 = bits6;
	return gf_pt_build(l->e, l->n, &o, info);
}

static void
test_empty(void)
{
	list		l = {.n = 0};
	gf_prefix_table *t = build(&l, 0, 0, NULL);

	CHECK(t != NULL);
	CHECK_EQ_U64(look(t, "10.0.0.1", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "2001:db8::1", 5), GF_PT_NONE);
	CHECK_EQ_U64(gf_pt_lookup(t, 5, (const uint8_t *) "abcd", 0), GF_PT_NONE);
	gf_pt_free(t);
}

/* Nested IPv4 prefixes across the stride edges, for each first stride. */
static void
test_overlaps4(int bits)
{
	list		l = {.n = 0};
	gf_prefix_table *t;

	add(&l, "10.1.2.7/32", 0, 5);	/* given before the shorter ones */
	add(&l, "10.0.0.0/8", 0, 1);
	add(&l, "10.1.0.0/16", 0, 2);
	add(&l, "10.1.2.0/24", 0, 3);
	add(&l, "10.1.2.128/25", 0, 4);
	add(&l, "172.16.2.0/23", 0, 6);
	add(&l, "172.16.2.254/31", 0, 7);
	add(&l, "192.0.0.0/7", 0, 8);
	t = build(&l, bits, 0, NULL);
	CHECK(t != NULL);
	CHECK_EQ_U64(look(t, "10.1.2.7", 0), 5);
	CHECK_EQ_U64(look(t, "10.1.2.6", 0), 3);
	CHECK_EQ_U64(look(t, "10.1.2.8", 0), 3);
	CHECK_EQ_U64(look(t, "10.1.2.127", 0), 3);
	CHECK_EQ_U64(look(t, "10.1.2.128", 0), 4);
	CHECK_EQ_U64(look(t, "10.1.2.255", 0), 4);
	CHECK_EQ_U64(look(t, "10.1.3.0", 0), 2);
	CHECK_EQ_U64(look(t, "10.1.1.255", 0), 2);
	CHECK_EQ_U64(look(t, "10.1.255.255", 0), 2);
	CHECK_EQ_U64(look(t, "10.2.0.0", 0), 1);
	CHECK_EQ_U64(look(t, "10.0.255.255", 0), 1);
	CHECK_EQ_U64(look(t, "10.255.255.255", 0), 1);
	CHECK_EQ_U64(look(t, "9.255.255.255", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "11.0.0.0", 0), GF_PT_NONE);
	/* a /23 spans two /24 words of the 24-bit stride */
	CHECK_EQ_U64(look(t, "172.16.1.255", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "172.16.2.0", 0), 6);
	CHECK_EQ_U64(look(t, "172.16.3.255", 0), 6);
	CHECK_EQ_U64(look(t, "172.16.4.0", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "172.16.2.253", 0), 6);
	CHECK_EQ_U64(look(t, "172.16.2.254", 0), 7);
	CHECK_EQ_U64(look(t, "172.16.2.255", 0), 7);
	/* a /7 spans two words of the 8-bit stride */
	CHECK_EQ_U64(look(t, "191.255.255.255", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "192.0.0.0", 0), 8);
	CHECK_EQ_U64(look(t, "193.255.255.255", 0), 8);
	CHECK_EQ_U64(look(t, "194.0.0.0", 0), GF_PT_NONE);
	/* no IPv6 entry: an IPv6 address matches nothing */
	CHECK_EQ_U64(look(t, "::ffff:10.1.2.7", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "a01:207::", 0), GF_PT_NONE);
	gf_pt_free(t);
}

static void
test_default_routes(int bits4, int bits6)
{
	list		l = {.n = 0};
	gf_prefix_table *t;

	add(&l, "0.0.0.0/0", 0, 70);
	add(&l, "10.0.0.0/8", 0, 71);
	add(&l, "255.255.255.255/32", 0, 72);
	add(&l, "0.0.0.0/32", 0, 73);
	t = build(&l, bits4, bits6, NULL);
	CHECK_EQ_U64(look(t, "11.0.0.0", 0), 70);
	CHECK_EQ_U64(look(t, "255.255.255.254", 0), 70);
	CHECK_EQ_U64(look(t, "255.255.255.255", 0), 72);
	CHECK_EQ_U64(look(t, "0.0.0.0", 0), 73);
	CHECK_EQ_U64(look(t, "0.0.0.1", 0), 70);
	CHECK_EQ_U64(look(t, "10.3.3.3", 9), 71);
	CHECK_EQ_U64(look(t, "::", 0), GF_PT_NONE);	/* v4 /0 is not v6 */
	gf_pt_free(t);

	l.n = 0;
	add(&l, "::/0", 0, 80);
	add(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 0, 81);
	add(&l, "::/128", 0, 82);
	t = build(&l, bits4, bits6, NULL);
	CHECK_EQ_U64(look(t, "2001:db8::1", 0), 80);
	CHECK_EQ_U64(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0), 81);
	CHECK_EQ_U64(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0), 80);
	CHECK_EQ_U64(look(t, "::", 0), 82);
	CHECK_EQ_U64(look(t, "::1", 0), 80);
	CHECK_EQ_U64(look(t, "10.0.0.1", 0), GF_PT_NONE);	/* v6 /0 is not v4 */
	CHECK_EQ_U64(look(t, "0.0.0.0", 0), GF_PT_NONE);
	gf_pt_free(t);
}

static void
test_ipv6(int bits6)
{
	list		l = {.n = 0};
	gf_prefix_table *t;

	add(&l, "2001:db8:1:2::1/128", 0, 23);
	add(&l, "2001:db8::/32", 0, 20);
	add(&l, "2001:db8:1::/48", 0, 21);
	add(&l, "2001:db8:1:2::/64", 0, 22);
	add(&l, "2001:db8:8000::/33", 0, 24);
	add(&l, "2001:dba::/31", 0, 25);
	add(&l, "::ffff:0:0/96", 0, 26);
	add(&l, "10.0.0.0/8", 0, 27);
	t = build(&l, 0, bits6, NULL);
	CHECK(t != NULL);
	CHECK_EQ_U64(look(t, "2001:db8:1:2::1", 0), 23);
	CHECK_EQ_U64(look(t, "2001:db8:1:2::", 0), 22);
	CHECK_EQ_U64(look(t, "2001:db8:1:2::2", 0), 22);
	CHECK_EQ_U64(look(t, "2001:db8:1:2:ffff:ffff:ffff:ffff", 0), 22);
	CHECK_EQ_U64(look(t, "2001:db8:1:3::", 0), 21);
	CHECK_EQ_U64(look(t, "2001:db8:1:1:ffff::", 0), 21);
	CHECK_EQ_U64(look(t, "2001:db8:2::", 0), 20);
	CHECK_EQ_U64(look(t, "2001:db8:7fff:ffff::", 0), 20);
	CHECK_EQ_U64(look(t, "2001:db8:8000::", 0), 24);
	CHECK_EQ_U64(look(t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 0), 24);
	CHECK_EQ_U64(look(t, "2001:db9::", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "2001:db7:ffff::", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "2001:dba::", 0), 25);
	CHECK_EQ_U64(look(t, "2001:dbb:ffff::", 0), 25);
	CHECK_EQ_U64(look(t, "2001:dbc::", 0), GF_PT_NONE);
	/* IPv4-mapped: the v6 entry matches the v6 form, the v4 one the v4 form */
	CHECK_EQ_U64(look(t, "::ffff:10.1.2.3", 0), 26);
	CHECK_EQ_U64(look(t, "10.1.2.3", 0), 27);
	CHECK_EQ_U64(look(t, "::fffe:10.1.2.3", 0), GF_PT_NONE);
	gf_pt_free(t);
}

static void
test_scopes(int bits4, int bits6)
{
	list		l = {.n = 0};
	gf_prefix_table *t;

	add(&l, "10.0.0.0/8", 0, 1);
	add(&l, "10.0.0.0/8", 7, 2);
	add(&l, "10.1.0.0/16", 7, 3);
	add(&l, "10.1.2.0/24", 0, 4);
	add(&l, "10.1.0.0/16", 0, 5);
	add(&l, "192.168.0.0/16", 9, 6);
	add(&l, "192.168.1.0/24", 3, 7);
	add(&l, "10.1.2.0/24", 100, 8);
	add(&l, "10.1.2.0/25", 0, 9);
	add(&l, "2001:db8::/32", 7, 10);
	add(&l, "2001:db8:1::/48", 0, 11);
	add(&l, "2001:db8::/32", 0, 12);
	add(&l, "2001:db8::/48", 7, 13);
	t = build(&l, bits4, bits6, NULL);
	CHECK(t != NULL);
	CHECK_EQ_U64(look(t, "10.9.9.9", 0), 1);
	CHECK_EQ_U64(look(t, "10.9.9.9", 7), 2);	/* scoped /8 beats global /8 */
	CHECK_EQ_U64(look(t, "10.9.9.9", 8), 1);	/* unknown scope: global */
	CHECK_EQ_U64(look(t, "10.1.9.9", 7), 3);	/* scoped /16 beats global /16 */
	CHECK_EQ_U64(look(t, "10.1.9.9", 0), 5);
	CHECK_EQ_U64(look(t, "10.1.2.3", 7), 9);	/* global /25 longer than scoped /16 */
	CHECK_EQ_U64(look(t, "10.1.2.200", 7), 4);	/* global /24 longer than scoped /16 */
	CHECK_EQ_U64(look(t, "10.1.2.200", 100), 8);	/* scoped /24 beats global /24 */
	CHECK_EQ_U64(look(t, "10.1.2.3", 100), 9);	/* global /25 beats scoped /24 */
	CHECK_EQ_U64(look(t, "10.1.3.3", 100), 5);	/* outside the scoped /24 */
	CHECK_EQ_U64(look(t, "11.1.1.1", 7), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "192.168.5.5", 9), 6);
	CHECK_EQ_U64(look(t, "192.168.5.5", 0), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "192.168.1.5", 9), 6);
	CHECK_EQ_U64(look(t, "192.168.1.5", 3), 7);
	CHECK_EQ_U64(look(t, "192.168.2.5", 3), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "192.168.1.5", 2), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "192.168.1.5", 4), GF_PT_NONE);
	CHECK_EQ_U64(look(t, "2001:db8:1::1", 7), 11);	/* global /48 beats scoped /32 */
	CHECK_EQ_U64(look(t, "2001:db8:2::1", 7), 10);
	CHECK_EQ_U64(look(t, "2001:db8:2::1", 0), 12);
	CHECK_EQ_U64(look(t, "2001:db8::1", 7), 13);
	CHECK_EQ_U64(look(t, "2001:db8::1", 9), 12);
	CHECK_EQ_U64(look(t, "2001:db8::1", 100), 12);
	gf_pt_free(t);
}

static void
test_duplicates_and_host_bits(void)
{
	list		l = {.n = 0};
	gf_pt_build_info info;
	gf_prefix_table *t;

	add(&l, "10.1.2.0/24", 0, 1);
	add(&l, "10.1.2.0/24", 5, 2);	/* another scope: not a duplicate */
	add(&l, "10.1.2.0/23", 0, 3);	/* another length: not a duplicate */
	add(&l, "10.1.2.99/24", 0, 4);	/* host bits: 10.1.2.0/24 again */
	add(&l, "10.1.2.0/24", 5, 6);
	add(&l, "2001:db8::1/32", 0, 7);	/* host bits */
	t = build(&l, 0, 0, &info);
	CHECK(t != NULL);
	CHECK_EQ_U64(info.error, GF_PT_OK);
	CHECK_EQ_U64(info.n_duplicates, 2);
	CHECK_EQ_U64(info.first_duplicate, 3);
	CHECK_EQ_U64(info.n_host_bits, 2);
	CHECK_EQ_U64(look(t, "10.1.2.1", 0), 4);	/* the later one wins */
	CHECK_EQ_U64(look(t, "10.1.2.1", 5), 6);
	CHECK_EQ_U64(look(t, "10.1.3.1", 5), 3);
	CHECK_EQ_U64(look(t, "2001:db8:ffff::", 0), 7);
	gf_pt_free(t);
}

static void
test_refusals(void)
{
	list		l = {.n = 0};
	gf_pt_build_info info;
	gf_pt_build_options o;
	gf_prefix_table *t;

	add(&l, "10.0.0.0/8", 0, 1);
	add(&l, "10.0.0.1/32", 0, GF_PT_VALUE_MAX);
	add(&l, "2001:db8::1/128", 0, 3);
	add(&l, "10.0.0.0/8", 0, 4);
	t = build(&l, 0, 0, &info);
	CHECK(t != NULL);
	CHECK_EQ_U64(look(t, "10.0.0.1", 0), GF_PT_VALUE_MAX);
	CHECK_EQ_U64(look(t, "2001:db8::1", 0), 3);
	gf_pt_free(t);

	l.e[3].prefix_len = 33;
	CHECK(build(&l, 0, 0, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_PREFIX_LEN);
	CHECK_EQ_U64(info.bad_index, 3);
	l.e[3].prefix_len = 8;

	l.e[2].prefix_len = 129;
	CHECK(build(&l, 0, 0, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_PREFIX_LEN);
	CHECK_EQ_U64(info.bad_index, 2);
	l.e[2].prefix_len = 128;

	l.e[1].value = GF_PT_VALUE_MAX + 1;
	CHECK(build(&l, 0, 0, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_VALUE);
	CHECK_EQ_U64(info.bad_index, 1);
	l.e[1].value = 2;

	l.e[0].family = 5;
	CHECK(build(&l, 0, 0, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_FAMILY);
	CHECK_EQ_U64(info.bad_index, 0);
	l.e[0].family = 0;
	CHECK(build(&l, 0, 0, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_FAMILY);
	l.e[0].family = 4;

	memset(&o, 0, sizeof(o));
	o.max_bytes = 4096;
	CHECK(gf_pt_build(l.e, l.n, &o, &info) == NULL);
	CHECK_EQ_U64(info.error, GF_PT_ERR_MEMORY_LIMIT);
	CHECK(strcmp(gf_pt_error_name(info.error), "ok") != 0);
	o.max_bytes = 1 << 20;
	t = gf_pt_build(l.e, l.n, &o, &info);
	CHECK(t != NULL);
	CHECK(info.peak_bytes <= o.max_bytes);
	CHECK(info.peak_bytes >= gf_pt_bytes(t));
	gf_pt_free(t);
}

/*
 * Many prefixes side by side in one 16-bit window (IPv6 /32s under
 * 2001::/16, IPv4 /32s under 10.1.0.0/16), so that one node holds from 2
 * to over 100 runs: every size of sparse node (1 to 4 lines, 10 to 42
 * starts) and the bitmap nodes beyond, with runs at the window's first
 * and last position.  Prefix j sits at window position pos(j) and carries
 * value j + 1; positions between prefixes fall to the covering /16 when
 * there is one.  Each prefix's first and last address and the address
 * after it are looked up.
 */
static void
test_wide_nodes(int family, int bits, int m, int spacing, int at_end, int cover)
{
	gf_prefix_entry e[200];
	gf_prefix_table *t;
	gf_pt_build_options o;
	int			n = 0;
	int			j;
	uint32_t	none = cover ? 1000 : GF_PT_NONE;

	memset(&o, 0, sizeof(o));
	o.first_bits4 = bits;
	o.first_bits6 = bits;
	memset(e, 0, sizeof(e));
	for (j = 0; j < m; j++)
	{
		uint32_t	pos = at_end ? (uint32_t) (65536 - (m - j) * spacing) : (uint32_t) (j * spacing);
		gf_prefix_entry *x = &e[n++];

		x->family = (uint8_t) family;
		x->value = (uint32_t) j + 1;
		if (family == 6)
		{
			x->prefix_len = 32;
			x->addr[0] = 0x20;
			x->addr[1] = 0x01;
			x->addr[2] = (uint8_t) (pos >> 8);
			x->addr[3] = (uint8_t) pos;
		}
		else
		{
			x->prefix_len = 32;
			x->addr[0] = 10;
			x->addr[1] = 1;
			x->addr[2] = (uint8_t) (pos >> 8);
			x->addr[3] = (uint8_t) pos;
		}
	}
	if (cover)
	{
		gf_prefix_entry *x = &e[n++];

		x->family = (uint8_t) family;
		x->prefix_len = 16;
		x->value = 1000;
		if (family == 6)
		{
			x->addr[0] = 0x20;
			x->addr[1] = 0x01;
		}
		else
		{
			x->addr[0] = 10;
			x->addr[1] = 1;
		}
	}
	t = gf_pt_build(e, (size_t) n, &o, NULL);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	for (j = 0; j < m; j++)
	{
		uint8_t		a[16];
		uint32_t	pos = at_end ? (uint32_t) (65536 - (m - j) * spacing) : (uint32_t) (j * spacing);
		uint32_t	after = pos + 1;
		int			k;

		memcpy(a, e[j].addr, 16);
		CHECK_EQ_U64(gf_pt_lookup(t, family, a, 0), j + 1);
		for (k = 4; k < 16; k++)
			a[k] = 0xFF;	/* the /32's last IPv6 address; IPv4 reads 4 bytes */
		CHECK_EQ_U64(gf_pt_lookup(t, family, a, 0), j + 1);
		CHECK_EQ_U64(gf_pt_lookup(t, family, a, 3), j + 1);
		if (after < 65536)
		{
			memset(a + 2, 0, 14);
			a[2] = (uint8_t) (after >> 8);
			a[3] = (uint8_t) after;
			CHECK_EQ_U64(gf_pt_lookup(t, family, a, 0),
						 spacing == 1 && j + 1 < m ? (uint32_t) j + 2 : none);
		}
		if (pos > 0 && (spacing > 1 || j == 0))
		{
			memset(a + 2, 0, 14);
			a[2] = (uint8_t) ((pos - 1) >> 8);
			a[3] = (uint8_t) (pos - 1);
			CHECK_EQ_U64(gf_pt_lookup(t, family, a, 0), none);
		}
	}
	/* batches agree with single lookups over the whole window's edges */
	{
		uint8_t		a6[64][16];
		uint32_t	a4[64];
		uint32_t	out[64];
		int			i;

		memset(a6, 0, sizeof(a6));
		for (i = 0; i < 64; i++)
		{
			uint32_t	pos = (uint32_t) (i < 32 ? i * 7 : 65535 - (i - 32) * 5);

			a6[i][0] = family == 6 ? 0x20 : 10;
			a6[i][1] = family == 6 ? 0x01 : 1;
			a6[i][2] = (uint8_t) (pos >> 8);
			a6[i][3] = (uint8_t) pos;
			a4[i] = (uint32_t) a6[i][0] << 24 | (uint32_t) a6[i][1] << 16 | pos;
		}
		if (family == 6)
			gf_pt_lookup6_batch(t, (const uint8_t (*)[16]) a6, 64, 0, out);
		else
			gf_pt_lookup4_batch(t, a4, 64, 0, out);
		for (i = 0; i < 64; i++)
			CHECK_EQ_U64(out[i], gf_pt_lookup(t, family, a6[i], 0));
	}
	gf_pt_free(t);
}

/* The block has no pointer in it: a byte copy works after the original is gone. */
static void
test_copy(void)
{
	list		l = {.n = 0};
	gf_prefix_table *t;
	void	   *copy;

	add(&l, "10.0.0.0/8", 0, 1);
	add(&l, "10.1.2.3/32", 4, 2);
	add(&l, "2001:db8::/32", 0, 3);
	add(&l, "2001:db8::1/128", 4, 4);
	t = build(&l, 0, 0, NULL);
	copy = malloc(gf_pt_bytes(t));
	memcpy(copy, t, gf_pt_bytes(t));
	memset(t, 0xAB, gf_pt_bytes(t));
	gf_pt_free(t);
	t = copy;
	CHECK_EQ_U64(look(t, "10.1.2.3", 4), 2);
	CHECK_EQ_U64(look(t, "10.1.2.3", 0), 1);
	CHECK_EQ_U64(look(t, "2001:db8::1", 4), 4);
	CHECK_EQ_U64(look(t, "2001:db8::2", 4), 3);
	gf_pt_free(t);
}

/* Counts the calls of the pause hook. */
static void
count_pause(void *arg)
{
	(*(size_t *) arg)++;
}

/*
 * The pause hook: called while a large table is built (at least once per
 * GF_PT_PAUSE_EVERY prefixes inserted), never for a small one, and it
 * changes nothing in the table.
 */
static void
test_pause_hook(void)
{
	size_t		n = 200000;
	gf_prefix_entry *e = calloc(n, sizeof(*e));
	gf_pt_build_options opt;
	gf_prefix_table *plain;
	gf_prefix_table *paused;
	size_t		calls = 0;
	size_t		i;
	uint32_t	x = 12345;

	for (i = 0; i < n; i++)
	{
		x = x * 1103515245u + 12345u;
		e[i].family = 4;
		e[i].prefix_len = (uint8_t) (16 + (x >> 28) % 17);	/* /16 .. /32 */
		e[i].addr[0] = (uint8_t) (x >> 24);
		e[i].addr[1] = (uint8_t) (x >> 16);
		e[i].addr[2] = (uint8_t) (i >> 8);
		e[i].addr[3] = (uint8_t) i;
		e[i].value = (uint32_t) i;
	}
	memset(&opt, 0, sizeof(opt));
	plain = gf_pt_build(e, n, &opt, NULL);
	opt.pause = count_pause;
	opt.pause_arg = &calls;
	paused = gf_pt_build(e, n, &opt, NULL);
	CHECK(plain != NULL && paused != NULL);
	CHECK(calls >= n / GF_PT_PAUSE_EVERY);
	if (plain && paused)
		CHECK(gf_pt_bytes(plain) == gf_pt_bytes(paused) &&
			  memcmp(plain, paused, gf_pt_bytes(plain)) == 0);
	gf_pt_free(plain);
	gf_pt_free(paused);

	calls = 0;
	paused = gf_pt_build(e, 100, &opt, NULL);
	CHECK(paused != NULL);
	CHECK_EQ_U64(calls, 0);
	gf_pt_free(paused);
	free(e);
}

int
main(void)
{
	int			bits[] = {8, 16, 24, 0};
	int			i;

	test_empty();
	for (i = 0; i < 4; i++)
	{
		int			b6 = bits[i] == 24 ? 16 : bits[i];

		test_overlaps4(bits[i]);
		test_default_routes(bits[i], b6);
		test_ipv6(b6);
		test_scopes(bits[i], b6);
	}
	for (i = 0; i < 4; i++)
	{
		int			sizes[] = {1, 2, 8, 9, 10, 11, 12, 19, 20, 21, 22, 29, 30, 31, 32,
		41, 42, 43, 44, 60, 130};
		size_t		k;

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		{
			test_wide_nodes(6, bits[i] == 24 ? 16 : bits[i], sizes[k], 1, 0, 0);
			test_wide_nodes(6, bits[i], sizes[k], 1, 1, 1);
			test_wide_nodes(6, bits[i] == 24 ? 8 : bits[i], sizes[k] / 2 + 1, 3, k & 1, 1);
			test_wide_nodes(4, bits[i], sizes[k], 1, k & 1, k & 2);
			test_wide_nodes(4, bits[i], sizes[k] / 2 + 1, 300, 1, 0);
		}
	}
	test_duplicates_and_host_bits();
	test_refusals();
	test_copy();
	test_pause_hook();
	UNIT_MAIN_END();
}
