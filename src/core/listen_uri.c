/*
 * listen_uri.c
 *    Parser for the goflow2plus.listen setting (see listen_uri.h).
 *    UDP entries take numeric addresses only; nats:// entries (a client
 *    connection, which nats.c re-resolves at every reconnection) also take
 *    host names.
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

/* ---- nats:// entries (a JetStream source) ------------------------------ */

/*
 * A stream or consumer name as NATS accepts them and as they survive a
 * subject (the API puts them in one): letters, digits, '-' and '_'.
 */
static bool
lu_nats_name(const char *s)
{
	size_t		n = 0;

	for (; *s; s++, n++)
		if (!isalnum((unsigned char) *s) && *s != '-' && *s != '_')
			return false;
	return n > 0 && n < GF_LISTEN_NAME_MAX;
}

/*
 * A filter subject: dot-separated non-empty tokens of printable ASCII
 * without blanks; '*' and '>' only as whole tokens, '>' only last.
 */
static bool
lu_nats_subject(const char *s)
{
	const char *tok = s;
	size_t		len = strlen(s);

	if (len == 0 || len >= GF_LISTEN_SUBJECT_MAX)
		return false;
	for (;;)
	{
		const char *dot = strchr(tok, '.');
		size_t		tl = dot ? (size_t) (dot - tok) : strlen(tok);
		size_t		i;

		if (tl == 0)
			return false;
		for (i = 0; i < tl; i++)
		{
			unsigned char c = (unsigned char) tok[i];

			if (c <= ' ' || c >= 0x7f)
				return false;
			if ((c == '*' || c == '>') && tl != 1)
				return false;
		}
		if (tok[0] == '>' && dot != NULL)
			return false;
		if (dot == NULL)
			return true;
		tok = dot + 1;
	}
}

/* A host name: letters, digits, '-' and '.', not starting with '.' or '-'. */
static bool
lu_nats_hostname(const char *s)
{
	size_t		n = 0;

	if (*s == '.' || *s == '-')
		return false;
	for (; *s; s++, n++)
		if (!isalnum((unsigned char) *s) && *s != '-' && *s != '.')
			return false;
	return n > 0 && n < GF_LISTEN_HOST_MAX;
}

/* "host", "host:port", "[v6]", "[v6]:port" or "" into uri. */
static int
lu_nats_authority(char *auth, const char *entry, gf_listen_uri *uri,
				  char *errbuf, size_t errlen)
{
	char	   *port = NULL;
	unsigned long v;

	if (auth[0] == '\0')
		return 0;				/* goflow2plus.nats_servers */
	if (auth[0] == '[')
	{
		char	   *close = strchr(auth, ']');
		uint8_t		a6[16];

		if (close == NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"[\" without a closing \"]\"", entry);
		*close = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": unexpected text after \"]\"", entry);
		if (inet_pton(AF_INET6, auth + 1, a6) != 1)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"%s\" is not an IPv6 address",
						   entry, auth + 1);
		uri->family = GF_LISTEN_IPV6;
		memcpy(uri->addr, a6, 16);
		snprintf(uri->host, sizeof(uri->host), "%s", auth + 1);
	}
	else
	{
		char	   *colon = strchr(auth, ':');

		if (colon != NULL)
		{
			*colon = '\0';
			port = colon + 1;
		}
		if (!lu_nats_hostname(auth))
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": \"%s\" is not a host name or address (IPv6 goes in brackets)",
						   entry, auth);
		if (inet_pton(AF_INET, auth, uri->addr) == 1)
			uri->family = GF_LISTEN_IPV4;
		snprintf(uri->host, sizeof(uri->host), "%s", auth);
	}
	uri->port = GF_LISTEN_NATS_PORT;
	if (port != NULL)
	{
		if (!lu_number(port, 1, 65535, &v))
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": port \"%s\" is not a number from 1 to 65535",
						   entry, port);
		uri->port = (uint16_t) v;
	}
	return 0;
}

void
gf_listen_nats_url(const gf_listen_uri *uri, char *buf, size_t buflen)
{
	if (buflen == 0)
		return;
	buf[0] = '\0';
	if (uri->kind != GF_LISTEN_NATS || uri->host[0] == '\0')
		return;
	if (uri->family == GF_LISTEN_IPV6)
		snprintf(buf, buflen, "nats://[%s]:%u", uri->host, (unsigned) uri->port);
	else
		snprintf(buf, buflen, "nats://%s:%u", uri->host, (unsigned) uri->port);
}

static void
lu_nats_format(gf_listen_uri *uri)
{
	char		url[GF_LISTEN_HOST_MAX + 24];
	char		subject[GF_LISTEN_SUBJECT_MAX + 16] = "";
	char		count[24] = "";
	char		text[GF_LISTEN_TEXT_MAX];

	gf_listen_nats_url(uri, url, sizeof(url));
	if (url[0] == '\0')
		snprintf(url, sizeof(url), "nats://");
	if (uri->subject[0] != '\0')
		snprintf(subject, sizeof(subject), "&subject=%s", uri->subject);
	if (uri->count > 1)
		snprintf(count, sizeof(count), "&count=%u", (unsigned) uri->count);
	/* Through a local buffer: the sources are members of *uri too. */
	snprintf(text, sizeof(text), "%s?stream=%s&consumer=%s%s%s",
			 url, uri->stream, uri->consumer, subject, count);
	memcpy(uri->text, text, sizeof(text));
}

/* The part of a nats:// entry after "nats://". */
static int
lu_parse_nats(char *rest, const char *entry, gf_listen_uri *uri,
			  char *errbuf, size_t errlen)
{
	char	   *query = strchr(rest, '?');
	char	   *param;

	uri->kind = GF_LISTEN_NATS;
	uri->proto = GF_PROTO_AUTO;
	if (query != NULL)
		*query++ = '\0';
	if (strchr(rest, '/') != NULL)
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": unexpected path after the port", entry);
	if (strchr(rest, '@') != NULL)
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": user information is not allowed (use goflow2plus.nats_user and the other nats_ credentials)",
					   entry);
	if (lu_nats_authority(rest, entry, uri, errbuf, errlen) != 0)
		return -1;

	for (param = query; param != NULL;)
	{
		char	   *next = strchr(param, '&');
		char	   *eq;
		char	   *val;
		unsigned long v;

		if (next != NULL)
			*next++ = '\0';
		eq = strchr(param, '=');
		if (eq == NULL)
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": parameter \"%s\" has no value", entry, param);
		*eq = '\0';
		val = eq + 1;
		if (strcmp(param, "stream") == 0 || strcmp(param, "consumer") == 0)
		{
			char	   *dst = param[0] == 's' ? uri->stream : uri->consumer;

			if (dst[0] != '\0')
				return lu_fail(errbuf, errlen,
							   "listen entry \"%s\": %s given twice", entry, param);
			if (!lu_nats_name(val))
				return lu_fail(errbuf, errlen,
							   "listen entry \"%s\": %s \"%s\" must be 1 to %d letters, digits, '-' or '_'",
							   entry, param, val, GF_LISTEN_NAME_MAX - 1);
			snprintf(dst, GF_LISTEN_NAME_MAX, "%s", val);
		}
		else if (strcmp(param, "subject") == 0)
		{
			if (uri->subject[0] != '\0')
				return lu_fail(errbuf, errlen,
							   "listen entry \"%s\": subject given twice", entry);
			if (!lu_nats_subject(val))
				return lu_fail(errbuf, errlen,
							   "listen entry \"%s\": subject \"%s\" is not a NATS subject of at most %d characters (dot-separated tokens; '*' and a last '>' as whole tokens)",
							   entry, val, GF_LISTEN_SUBJECT_MAX - 1);
			snprintf(uri->subject, sizeof(uri->subject), "%s", val);
		}
		else if (strcmp(param, "count") == 0)
		{
			if (!lu_number(val, 1, GF_LISTEN_MAX_COUNT, &v))
				return lu_fail(errbuf, errlen,
							   "listen entry \"%s\": count \"%s\" is not a number from 1 to %d",
							   entry, val, GF_LISTEN_MAX_COUNT);
			uri->count = (uint32_t) v;
		}
		else
			return lu_fail(errbuf, errlen,
						   "listen entry \"%s\": unknown parameter \"%s\" (nats:// takes stream, consumer, subject and count)",
						   entry, param);
		param = next;
	}
	if (uri->stream[0] == '\0' || uri->consumer[0] == '\0')
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": a nats:// source needs ?stream=NAME&consumer=NAME (the JetStream stream and the durable consumer the workers share)",
					   entry);
	lu_nats_format(uri);
	return 0;
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
					   "listen entry \"%s\": no scheme (expected netflow://, sflow://, flow:// or nats://)",
					   quoted);
	scheme_len = (size_t) (sep - entry);
	if (scheme_len == 7 && strncasecmp(entry, "netflow", 7) == 0)
		uri->proto = GF_PROTO_NETFLOW;
	else if (scheme_len == 5 && strncasecmp(entry, "sflow", 5) == 0)
		uri->proto = GF_PROTO_SFLOW;
	else if (scheme_len == 4 && strncasecmp(entry, "flow", 4) == 0)
		uri->proto = GF_PROTO_AUTO;
	else if (scheme_len == 4 && strncasecmp(entry, "nats", 4) == 0)
		return lu_parse_nats(sep + 3, quoted, uri, errbuf, errlen);
	else
	{
		*sep = '\0';
		return lu_fail(errbuf, errlen,
					   "listen entry \"%s\": unknown scheme \"%s\" (expected netflow, sflow, flow or nats)",
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
	if (a->kind != GF_LISTEN_UDP || b->kind != GF_LISTEN_UDP)
		return false;
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
	if (a->kind != b->kind)
		return 0;
	/* A JetStream source is its whole entry: server, stream, consumer. */
	if (a->kind == GF_LISTEN_NATS)
		return strcmp(a->text, b->text) == 0;
	return a->proto == b->proto && a->family == b->family &&
		a->port == b->port && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}
