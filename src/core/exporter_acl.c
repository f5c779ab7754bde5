/*
 * exporter_acl.c
 *    Parsing and matching of the exporter allowlist (exporter_acl.h).
 *    Matching is a linear scan of the entries: lists are short, and it
 *    runs once per datagram, not per record.
 */
#include "exporter_acl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void acl_error(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static void
acl_error(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Whether bits past prefix_len are all zero. */
static bool
acl_host_bits_zero(const uint8_t *bytes, int nbytes, int prefix_len)
{
	int			i;

	for (i = 0; i < nbytes; i++)
	{
		int			keep = prefix_len - i * 8;
		uint8_t		mask;

		if (keep >= 8)
			continue;
		mask = keep <= 0 ? 0 : (uint8_t) (0xff << (8 - keep));
		if (bytes[i] & (uint8_t) ~mask)
			return false;
	}
	return true;
}

/* The network address with host bits cleared, for the error hint. */
static void
acl_format_network(const gf_acl_entry *e, char *buf, size_t buflen)
{
	uint8_t		b[16];
	int			nbytes = e->family == 4 ? 4 : 16;
	int			i;

	memcpy(b, e->bytes, sizeof(b));
	for (i = 0; i < nbytes; i++)
	{
		int			keep = e->prefix_len - i * 8;

		if (keep >= 8)
			continue;
		b[i] &= keep <= 0 ? 0 : (uint8_t) (0xff << (8 - keep));
	}
	inet_ntop(e->family == 4 ? AF_INET : AF_INET6, b, buf, (socklen_t) buflen);
}

static const uint8_t acl_v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* One entry, already trimmed, of length len. */
static int
acl_parse_entry(const char *text, size_t len, gf_acl_entry *e, char *err, size_t errlen)
{
	char		buf[128];
	char	   *slash;
	int			maxlen;

	if (len >= sizeof(buf))
	{
		acl_error(err, errlen, "entry \"%.40s...\" is too long", text);
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(e, 0, sizeof(*e));

	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, e->bytes) == 1)
	{
		e->family = 4;
		maxlen = 32;
	}
	else if (inet_pton(AF_INET6, buf, e->bytes) == 1)
	{
		e->family = 6;
		maxlen = 128;
	}
	else
	{
		acl_error(err, errlen,
				  "entry \"%.*s\": \"%s\" is not a numeric IPv4 or IPv6 address (host names are not resolved)",
				  (int) len, text, buf);
		return -1;
	}

	if (slash)
	{
		const char *p = slash + 1;
		char	   *end;
		long		n;

		if (!isdigit((unsigned char) *p))
		{
			acl_error(err, errlen, "entry \"%.*s\": prefix length \"%s\" is not a number",
					  (int) len, text, p);
			return -1;
		}
		n = strtol(p, &end, 10);
		if (*end != '\0' || n < 0 || n > maxlen)
		{
			acl_error(err, errlen, "entry \"%.*s\": prefix length \"%s\" is not between 0 and %d",
					  (int) len, text, p, maxlen);
			return -1;
		}
		e->prefix_len = (uint8_t) n;
	}
	else
		e->prefix_len = (uint8_t) maxlen;

	if (!acl_host_bits_zero(e->bytes, maxlen / 8, e->prefix_len))
	{
		char		net[INET6_ADDRSTRLEN];

		acl_format_network(e, net, sizeof(net));
		acl_error(err, errlen,
				  "entry \"%.*s\" has bits set to the right of its /%d prefix (did you mean %s/%d?)",
				  (int) len, text, e->prefix_len, net, e->prefix_len);
		return -1;
	}

	/* ::ffff:a.b.c.d/n with n >= 96 is an IPv4 block: sources arrive as IPv4. */
	if (e->family == 6 && e->prefix_len >= 96 &&
		memcmp(e->bytes, acl_v4mapped, sizeof(acl_v4mapped)) == 0)
	{
		memmove(e->bytes, e->bytes + 12, 4);
		memset(e->bytes + 4, 0, 12);
		e->family = 4;
		e->prefix_len -= 96;
	}
	return 0;
}

int
gf_exporter_acl_parse(const char *input, gf_exporter_acl *out, char *err, size_t errlen)
{
	const char *p = input ? input : "";

	if (errlen > 0)
		err[0] = '\0';
	out->n = 0;
	if (strlen(p) > GF_ACL_INPUT_MAX)
	{
		acl_error(err, errlen, "the list is longer than %d characters", GF_ACL_INPUT_MAX);
		return -1;
	}
	for (;;)
	{
		const char *start;
		const char *end;
		const char *comma;

		while (isspace((unsigned char) *p))
			p++;
		comma = strchr(p, ',');
		end = comma ? comma : p + strlen(p);
		start = p;
		while (end > start && isspace((unsigned char) end[-1]))
			end--;
		if (end == start)
		{
			/* Blank: fine for the whole list, not between two commas. */
			if (comma != NULL || out->n > 0)
			{
				acl_error(err, errlen, "empty entry in the list (two commas in a row, or a comma at an end)");
				return -1;
			}
			return 0;
		}
		if (out->n >= GF_ACL_MAX_ENTRIES)
		{
			acl_error(err, errlen, "more than %d entries", GF_ACL_MAX_ENTRIES);
			return -1;
		}
		if (acl_parse_entry(start, (size_t) (end - start), &out->entry[out->n], err, errlen) != 0)
			return -1;
		out->n++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* Whether the first prefix_len bits of a and b agree. */
static bool
acl_prefix_equal(const uint8_t *a, const uint8_t *b, int prefix_len)
{
	int			full = prefix_len / 8;
	int			rest = prefix_len % 8;

	if (memcmp(a, b, (size_t) full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t) (0xff << (8 - rest))) == 0;
}

bool
gf_exporter_acl_allows(const gf_exporter_acl *acl, const gf_addr *source)
{
	int			i;

	if (acl == NULL || acl->n == 0)
		return true;
	for (i = 0; i < acl->n; i++)
	{
		const gf_acl_entry *e = &acl->entry[i];

		if (e->family == source->family &&
			acl_prefix_equal(e->bytes, source->bytes, e->prefix_len))
			return true;
	}
	return false;
}
