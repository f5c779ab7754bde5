/*
 * geoip.h
 *    GeoIP enrichment, as GoFlow2+'s enricher does it with its -db.asn and
 *    -db.country flags: a flow's source and destination addresses are
 *    looked up in MaxMind DB (.mmdb) files, filling src_country /
 *    dst_country (ISO 3166 alpha-2) and, where the exporter sent no AS
 *    number or sent 0, src_as / dst_as.
 *
 *    Database layouts read:
 *    - country: MaxMind's GeoLite2/GeoIP2 Country and City
 *      ({"country": {"iso_code": "US"}}, also DB-IP's lite files), and
 *      ip-location-db's ({"country_code": "US"}), tried in that order per
 *      record;
 *    - ASN: GeoLite2-ASN's {"autonomous_system_number": 15169} (also what
 *      ip-location-db's ASN files hold).
 *    Anything else in a record is ignored; a record without the field, or
 *    with a value that is no 2-letter code or is AS 0, is a miss.
 *
 *    Addresses: IPv4 and IPv6; an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 *    is looked up as the IPv4 address a.b.c.d, since ip-location-db's files
 *    have no ::ffff:0:0/96 alias and dual-stack exporters write IPv4 that
 *    way.
 *
 *    Each database file is copied into private memory when it is opened,
 *    so that a file overwritten in place (cp new.mmdb old.mmdb) cannot
 *    pull pages from under a lookup (SIGBUS); replace files with rename
 *    all the same, and call gf_geoip_changed() to learn that a reopen is
 *    due.  The cost is one copy of each file per process.
 *
 *    A handle is used by one thread at a time: lookups update its counters
 *    and its small caches.  Lookup errors (a corrupt file) are counted and
 *    leave the field as it was; they never fail the flow.
 *
 *    Core code: plain C, no postgres.h; links -lmaxminddb.  Tested by
 *    test/unit/test_geoip.c (fixtures, and mmdblookup as the oracle on
 *    real databases: test/e2e/geoip_oracle.sh).
 */
#ifndef GF_GEOIP_H
#define GF_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

typedef struct gf_geoip gf_geoip;

/* What the lookups of one handle did since it was opened. */
typedef struct gf_geoip_stats
{
	uint64_t	lookups;		/* address lookups, one per database;
								 * lookups = found + misses + errors */
	uint64_t	found;			/* answered with a code or an AS number */
	uint64_t	misses;			/* no network, or no usable field there */
	uint64_t	errors;			/* libmaxminddb errors (corrupt file) */
	uint64_t	addr_cache_hits;	/* answered from the address cache */
	uint64_t	record_cache_hits;	/* tree walked, record already decoded */
} gf_geoip_stats;

/* Files larger than this are refused rather than copied. */
#define GF_GEOIP_MAX_FILE_BYTES	((int64_t) 1 << 30)

/*
 * Opens the ASN and/or country database; a NULL or empty path leaves that
 * lookup off (both off gives a handle whose enrich does nothing).
 * Returns NULL with a message naming the file in errbuf when a given file
 * cannot be opened, is no MaxMind DB, or looks like the other kind (an
 * ASN database given as the country one).
 */
gf_geoip   *gf_geoip_open(const char *asn_path, const char *country_path,
						  char *errbuf, size_t errlen);
void		gf_geoip_close(gf_geoip *g);

/* Whether an ASN / a country database is open in this handle. */
bool		gf_geoip_has_asn(const gf_geoip *g);
bool		gf_geoip_has_country(const gf_geoip *g);

/*
 * Enriches one flow: with a country database, sets src_country and
 * dst_country ("" when unknown or when the flow has no such address);
 * with an ASN database, sets src_as / dst_as (and their presence bits)
 * only where the flow had none or 0, and only to a found, non-zero AS.
 * A NULL handle, or one with nothing open, leaves the flow untouched.
 */
void		gf_geoip_enrich(const gf_geoip *g, gf_flow *f);

/*
 * Single lookups, as gf_geoip_enrich does them: the country code into
 * cc[3] ("" when unknown), and the AS number (0 when unknown).
 */
void		gf_geoip_country(const gf_geoip *g, const gf_addr *a, char cc[3]);
uint32_t	gf_geoip_asn(const gf_geoip *g, const gf_addr *a);

/*
 * Whether either file's inode, size or modification time differs from
 * when it was opened, or the file can no longer be stat'ed: the caller
 * should open a new handle (and keep this one if that fails).
 */
bool		gf_geoip_changed(const gf_geoip *g);

void		gf_geoip_get_stats(const gf_geoip *g, gf_geoip_stats *out);

/*
 * A file's identity as gf_geoip_changed compares it, for callers that
 * must remember a file they failed to open (so as to retry only once it
 * changes, not every time they look).  exists is false when stat fails.
 */
typedef struct gf_geoip_filesig
{
	bool		exists;
	uint64_t	dev;
	uint64_t	ino;
	int64_t		size;
	int64_t		mtime_ns;
} gf_geoip_filesig;

void		gf_geoip_filesig_get(const char *path, gf_geoip_filesig *out);
bool		gf_geoip_filesig_equal(const gf_geoip_filesig *a, const gf_geoip_filesig *b);

/*
 * One line describing what is open, for a log message, e.g.
 * 'country "/x/c.mmdb" (GeoLite2-Country, built 2026-06-17, 4033189 bytes)',
 * "no database" when nothing is.
 */
void		gf_geoip_describe(const gf_geoip *g, char *buf, size_t buflen);

#endif							/* GF_GEOIP_H */
