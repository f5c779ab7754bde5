/*
 * test_iface_text.c
 *    The cleaner of interface names and descriptions (iface_text.c) on
 *    its own: every rule at its edge, with expected strings written out by
 *    hand, then random bytes checked against if_info_check.h's separate
 *    reading of the promise, and valid printable text checked to come out
 *    unchanged.
 */
#include <stdint.h>
#include <stdlib.h>

#include "iface_text.h"
#include "if_info_check.h"
#include "unit.h"

static const char *
clean(const void *src, size_t len, size_t cap)
{
	static char out[512];

	gf_if_text_copy(out, cap, src, len);
	return out;
}

static void
test_rules(void)
{
	char		small[4];
	char		one[1];

	CHECK_STR(clean("Gi0/1", 5, 64), "Gi0/1");
	CHECK_EQ_U64(gf_if_text_copy(small, sizeof(small), (const uint8_t *) "", 0), 0);
	CHECK_STR(small, "");
	/* NUL ends the text; padding after it is never read as text */
	CHECK_STR(clean("ab\0cd", 5, 64), "ab");
	CHECK_STR(clean("\0abc", 4, 64), "");
	/* trailing spaces go, leading and inner ones stay */
	CHECK_STR(clean(" a b  ", 6, 64), " a b");
	CHECK_STR(clean("    ", 4, 64), "");
	/* C0 controls, DEL and tab become '?', which is not trimmed */
	CHECK_STR(clean("a\tb\x1f\x7f", 5, 64), "a?b??");
	CHECK_STR(clean("a \t", 3, 64), "a ?");
	/* Latin-1 is not UTF-8: one '?' per byte */
	CHECK_STR(clean("caf\xe9", 4, 64), "caf?");
	/* valid 2, 3 and 4-byte characters */
	CHECK_STR(clean("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, 64),
			  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* the edges of each range */
	CHECK_STR(clean("\xc2\xa0", 2, 64), "\xc2\xa0");	/* U+00A0 kept */
	CHECK_STR(clean("\xc2\x9f", 2, 64), "?");	/* U+009F, C1 */
	CHECK_STR(clean("\xc1\xbf", 2, 64), "??");	/* overlong */
	CHECK_STR(clean("\xe0\x9f\xbf", 3, 64), "???");	/* overlong */
	CHECK_STR(clean("\xe0\xa0\x80", 3, 64), "\xe0\xa0\x80");	/* U+0800 */
	CHECK_STR(clean("\xed\x9f\xbf", 3, 64), "\xed\x9f\xbf");	/* U+D7FF */
	CHECK_STR(clean("\xed\xa0\x80", 3, 64), "???");	/* U+D800 */
	CHECK_STR(clean("\xef\xbf\xbf", 3, 64), "\xef\xbf\xbf");	/* U+FFFF */
	CHECK_STR(clean("\xf0\x8f\xbf\xbf", 4, 64), "????");	/* overlong */
	CHECK_STR(clean("\xf4\x8f\xbf\xbf", 4, 64), "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	CHECK_STR(clean("\xf4\x90\x80\x80", 4, 64), "????");	/* above */
	CHECK_STR(clean("\xf5\x80", 2, 64), "??");
	/* a sequence cut by the end of the field, or by a NUL */
	CHECK_STR(clean("x\xe2\x82", 3, 64), "x??");
	CHECK_STR(clean("x\xe2\x82\0\xac", 5, 64), "x??");
	/* a continuation byte in the wrong place */
	CHECK_STR(clean("\xc3(", 2, 64), "?(");
	/* the buffer: cap - 1 bytes, cut between characters */
	CHECK_STR(clean("abcdef", 6, 4), "abc");
	CHECK_STR(clean("ab\xc3\xa9", 4, 4), "ab");
	CHECK_STR(clean("a\xc3\xa9z", 4, 4), "a\xc3\xa9");
	CHECK_STR(clean("ab\xff\xff", 4, 4), "ab?");
	/* cut, then trailing spaces trimmed */
	CHECK_STR(clean("ab  cd", 6, 4), "ab");
	/* a buffer of one byte holds only the NUL */
	CHECK_EQ_U64(gf_if_text_copy(one, 1, (const uint8_t *) "abc", 3), 0);
	CHECK_EQ_U64(one[0], 0);
	/* returns the length */
	CHECK_EQ_U64(gf_if_text_copy(small, sizeof(small), (const uint8_t *) "ab ", 3), 2);
}

/* Random bytes: whatever comes in, what comes out keeps the promise. */
static void
test_random(void)
{
	uint8_t		in[96];
	char		out[GF_IF_NAME_MAX];
	uint32_t	seed = 12345;
	int			bad = 0;
	int			iter;

	for (iter = 0; iter < 200000; iter++)
	{
		size_t		len;
		size_t		i;
		size_t		n;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(in);
		for (i = 0; i < len; i++)
		{
			seed = seed * 1103515245u + 12345u;
			/* Mostly high bytes, so multi-byte forms are common. */
			in[i] = (uint8_t) ((seed >> 16) & 0xff);
			if ((seed >> 8) % 4 == 0)
				in[i] = (uint8_t) ('a' + (seed >> 24) % 26);
		}
		n = gf_if_text_copy(out, sizeof(out), in, len);
		if (!if_text_ok(out, sizeof(out), n > 0) || strlen(out) != n)
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
}

/* Printable UTF-8 that fits and has no trailing space comes out as it was. */
static void
test_identity(void)
{
	static const char *const texts[] = {
		"GigabitEthernet0/0/0", "xe-0/0/1.100", "Port-channel10",
		"Lien vers l'\xc3\xa9tage 2", "\xe4\xb8\x8a\xe8\xa1\x8c", "a\xf0\x9f\x98\x80z"
	};
	size_t		i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		CHECK_STR(clean(texts[i], strlen(texts[i]), 64), texts[i]);
}

int
main(void)
{
	test_rules();
	test_random();
	test_identity();
	UNIT_MAIN_END();
}
