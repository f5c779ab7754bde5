/*
 * listen_uri.c
 *    Parser for the goflow2plus.listen setting (see listen_uri.h).
 *
 *    Only numeric addresses are accepted: name resolution at server start
 *    would make the bound address depend on DNS at that moment, and a
 *    failure there would be far less clear than "not an IPv4 address".
 *    Every rejection names the entry and the part that is wrong, because
 *    the message ends up in the server log at startup and is all the user
 *    sees.
 */
#include "listen_uri.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Writes the message and returns -1, so callers can "return lu_fail(...)". */
static int	lu_fail(char *errbuf, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static int
lu_fail(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errbuf != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *
gf_listen_scheme_name(gf_proto proto)
{
	switch (proto)
	{
		case GF_PROTO_NETFLOW:
			return "netflow";
		case GF_PROTO_SFLOW:
			return "sflow";
		case GF_PROTO_AUTO:
			break;
	}
	return "flow";
}

/* Strip blanks at both ends, in place; returns the new start. */
static char *
lu_trim(char *s)
{
	char	   *end;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
					   end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * A decimal number of 1 to 5 digits within [min, max].  Signs, blanks,
 * hex and leading '+' are refused so that "0x10" or " 80" never pass.
 */
static bool
lu_number(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	unsigned long v = 0;
	size_t		n = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++, n++)
	{
		if (!isdigit((unsigned char) *s) || n >= 5)
			return false;
		v = v * 10 + (unsigned long) (*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Parse the "?a=b&c=d" part (without the '?') into uri. */
static int
lu_parse_query(char *query, const char *entry, gf_listen_uri *uri,
			   char *errbuf, size_t errlen)
{
	bool		seen_count = false;
	char	   *param = query;

	while (param != NULL)
	{
		char	   *next = strchr(param, '&');
		char	   *eq;
		unsigned long v;

		if (next != NULL)
			*next++ = '\0';
		eq = strchr(param, '=');
		if (eq == NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": parameter \"%s\" has no value (expected count=N)",
						   entry, param);
		*eq = '\0';
		if (strcmp(param, "count") != 0)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": unknown parameter \"%s\" (only count=N is supported)",
						   entry, param);
		if (seen_count)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": count given twice", entry);
		if (!lu_number(eq + 1, 1, GF_LISTEN_MAX_COUNT, &v))
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": count \"%s\" is not a number from 1 to %d",
						   entry, eq + 1, GF_LISTEN_MAX_COUNT);
		uri->count = (uint32_t) v;
		seen_count = true;
		param = next;
	}
	return 0;
}

/* Parse "host:port", "[v6]:port" or ":port" into uri. */
static int
lu_parse_authority(char *auth, const char *entry, gf_listen_uri *uri,
				   char *errbuf, size_t errlen)
{
	char	   *host;
	char	   *port;
	unsigned long v;

	if (auth[0] == '[')
	{
		char	   *close = strchr(auth, ']');

		if (close == NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"[\" without a closing \"]\"", entry);
		*close = '\0';
		host = auth + 1;
		if (close[1] != ':')
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": a port is required after \"]\" (e.g. [::1]:2055)",
						   entry);
		port = close + 2;
		if (inet_pton(AF_INET6, host, uri->addr) != 1)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"%s\" is not an IPv6 address",
						   entry, host);
		uri->family = GF_LISTEN_IPV6;
	}
	else
	{
		char	   *colon = strrchr(auth, ':');

		if (colon == NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": a port is required (e.g. netflow://:2055)",
						   entry);
		*colon = '\0';
		host = auth;
		port = colon + 1;
		if (strchr(host, ':') != NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": an IPv6 address must be written in brackets (e.g. [::1]:2055)",
						   entry);
		if (host[0] == '\0')
			uri->family = GF_LISTEN_ANY;
		else if (inet_pton(AF_INET, host, uri->addr) == 1)
			uri->family = GF_LISTEN_IPV4;
		else
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"%s\" is not a numeric IPv4 address (host names are not resolved; write an address, [IPv6], or nothing for all addresses)",
						   entry, host);
	}
	if (port[0] == '\0')
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": the port is empty", entry);
	if (!lu_number(port, 1, 65535, &v))
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": port \"%s\" is not a number from 1 to 65535",
					   entry, port);
	uri->port = (uint16_t) v;
	return 0;
}

/* The canonical text of an entry, as shown by stats() and in the log. */
static void
lu_format(gf_listen_uri *uri)
{
	char		host[INET6_ADDRSTRLEN + 2] = "";
	char		count[24] = "";

	if (uri->family == GF_LISTEN_IPV4)
		inet_ntop(AF_INET, uri->addr, host, sizeof(host));
	else if (uri->family == GF_LISTEN_IPV6)
	{
		char		v6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, uri->addr, v6, sizeof(v6));
		snprintf(host, sizeof(host), "[%s]", v6);
	}
	if (uri->count > 1)
		snprintf(count, sizeof(count), "?count=%u", (unsigned) uri->count);
	snprintf(uri->text, sizeof(uri->text), "%s://%s:%u%s",
			 gf_listen_scheme_name(uri->proto), host, (unsigned) uri->port, count);
}

/* Parse one trimmed, non-empty entry. */
static int
lu_parse_entry(char *entry, gf_listen_uri *uri, char *errbuf, size_t errlen)
{
	char		quoted[72];
	char	   *sep;
	char	   *auth;
	char	   *query;
	size_t		scheme_len;

	/* Keep a printable copy for messages; the parse below cuts entry up. */
	if (strlen(entry) < sizeof(quoted))
		snprintf(quoted, sizeof(quoted), "%s", entry);
	else
		snprintf(quoted, sizeof(quoted), "%.*s...", (int) sizeof(quoted) - 4, entry);

	memset(uri, 0, sizeof(*uri));
	uri->count = 1;

	sep = strstr(entry, "://");
	if (sep == NULL)
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": no scheme (expected netflow://, sflow:// or flow://)",
					   quoted);
	scheme_len = (size_t) (sep - entry);
	if (scheme_len == 7 && strncasecmp(entry, "netflow", 7) == 0)
		uri->proto = GF_PROTO_NETFLOW;
	else if (scheme_len == 5 && strncasecmp(entry, "sflow", 5) == 0)
		uri->proto = GF_PROTO_SFLOW;
	else if (scheme_len == 4 && strncasecmp(entry, "flow", 4) == 0)
		uri->proto = GF_PROTO_AUTO;
	else
	{
		*sep = '\0';
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": unknown scheme \"%s\" (expected netflow, sflow or flow)",
					   quoted, entry);
	}

	auth = sep + 3;
	query = strchr(auth, '?');
	if (query != NULL)
		*query++ = '\0';
	if (strchr(auth, '/') != NULL)
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": unexpected path after the port", quoted);
	if (strchr(auth, '@') != NULL)
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": user information is not allowed", quoted);
	if (lu_parse_authority(auth, quoted, uri, errbuf, errlen) != 0)
		return -1;
	if (query != NULL && lu_parse_query(query, quoted, uri, errbuf, errlen) != 0)
		return -1;
	lu_format(uri);
	return 0;
}

static bool
lu_unspecified(const gf_listen_uri *u)
{
	static const uint8_t zero[16];

	if (u->family == GF_LISTEN_ANY)
		return true;
	return memcmp(u->addr, zero, u->family == GF_LISTEN_IPV4 ? 4 : 16) == 0;
}

/*
 * Two entries overlap when a datagram could reach both: same port and
 * the same address, or a wildcard on a side that covers the other.  With
 * SO_REUSEPORT the kernel would accept both binds and silently split the
 * traffic between them (possibly to a listener of the wrong protocol),
 * so we refuse it and point at ?count=N instead.
 */
static bool
lu_overlap(const gf_listen_uri *a, const gf_listen_uri *b)
{
	if (a->port != b->port)
		return false;
	if (a->family == GF_LISTEN_ANY || b->family == GF_LISTEN_ANY)
		return true;
	if (a->family != b->family)
		return false;
	if (lu_unspecified(a) || lu_unspecified(b))
		return true;
	return memcmp(a->addr, b->addr, a->family == GF_LISTEN_IPV4 ? 4 : 16) == 0;
}

int
gf_listen_parse(const char *input, gf_listen_list *out,
				char *errbuf, size_t errlen)
{
	char		buf[GF_LISTEN_INPUT_MAX + 1];
	char	   *rest;
	char	   *all;
	size_t		len;

	memset(out, 0, sizeof(*out));
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (input == NULL)
		return 0;
	len = strlen(input);
	if (len > GF_LISTEN_INPUT_MAX)
		return lu_fail(errbuf, errlen,
					   "the listen setting is %zu characters long; at most %d are accepted",
					   len, GF_LISTEN_INPUT_MAX);
	memcpy(buf, input, len + 1);
	all = lu_trim(buf);
	if (*all == '\0')
		return 0;

	rest = all;
	while (rest != NULL)
	{
		char	   *comma = strchr(rest, ',');
		char	   *entry;
		gf_listen_uri *uri;
		int			i;

		if (comma != NULL)
			*comma++ = '\0';
		entry = lu_trim(rest);
		rest = comma;
		if (*entry == '\0')
			return lu_fail(errbuf, errlen,
						   "empty listen entry (two commas in a row, or a comma at an end)");
		if (out->n >= GF_LISTEN_MAX_ENTRIES)
			return lu_fail(errbuf, errlen,
						   "more than %d listen entries", GF_LISTEN_MAX_ENTRIES);
		uri = &out->uri[out->n];
		if (lu_parse_entry(entry, uri, errbuf, errlen) != 0)
			return -1;
		for (i = 0; i < out->n; i++)
			if (lu_overlap(&out->uri[i], uri))
				return lu_fail(errbuf, errlen,
							   "listen entries \"%s\" and \"%s\" use the same port on overlapping addresses (for several sockets on one port use ?count=N)",
							   out->uri[i].text, uri->text);
		out->sockets += uri->count;
		if (out->sockets > GF_LISTEN_MAX_SOCKETS)
			return lu_fail(errbuf, errlen,
						   "the listen entries ask for %u sockets in all; at most %d are allowed",
						   (unsigned) out->sockets, GF_LISTEN_MAX_SOCKETS);
		out->n++;
	}
	return 0;
}

int
gf_listen_same_address(const gf_listen_uri *a, const gf_listen_uri *b)
{
	return a->proto == b->proto && a->family == b->family &&
		a->port == b->port && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}
