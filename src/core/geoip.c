/*
 * geoip.c
 *    GeoIP lookups for flow enrichment (geoip.h) on top of libmaxminddb.
 *
 *    Per address: one search-tree walk (MMDB_lookup_sockaddr, from a
 *    sockaddr built by hand: no getaddrinfo, no string), then the record's
 *    field.  Many networks share one data record (a country DB has a few
 *    hundred distinct records, an ASN DB tens of thousands), and decoding
 *    a GeoLite2 record means skipping its maps of names, so decoded
 *    records are kept in a small direct-mapped cache keyed by the record's
 *    data-section offset.  The path arrays are static so that no lookup
 *    allocates (MMDB_get_value's varargs form callocs its path each call).
 */
/* memfd_create, strcasestr; PostgreSQL's build defines it already. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "geoip.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <maxminddb.h>

/*
 * Cache sizes per database: decoded records by data offset, and answers
 * by address (flows repeat their hosts; a hit skips the tree walk).
 */
#define GEO_REC_BITS	10
#define GEO_REC_SLOTS	(1 << GEO_REC_BITS)
#define GEO_ADDR_BITS	14
#define GEO_ADDR_SLOTS	(1 << GEO_ADDR_BITS)

typedef enum geo_kind
{
	GEO_ASN,
	GEO_COUNTRY
} geo_kind;

/* What a lookup answers. */
typedef struct geo_answer
{
	uint32_t	asn;			/* 0: none */
	char		cc[3];			/* "": none */
} geo_answer;

/* A decoded record: the answer a data offset gives. */
typedef struct geo_rec
{
	uint32_t	key;			/* data offset + 1; 0: empty slot */
	geo_answer	ans;
} geo_rec;

/* An address's answer; family 0 is an empty slot. */
typedef struct geo_addr_slot
{
	uint8_t		family;			/* 4 (IPv4 and IPv4-mapped) or 6 */
	uint8_t		bytes[16];		/* IPv4 in the first 4, rest zero */
	geo_answer	ans;
} geo_addr_slot;

/* What lookups change: counters and caches (a const handle still looks up). */
typedef struct geo_mutable
{
	gf_geoip_stats stats;
	geo_rec		asn_recs[GEO_REC_SLOTS];
	geo_rec		cc_recs[GEO_REC_SLOTS];
	geo_addr_slot asn_addrs[GEO_ADDR_SLOTS];
	geo_addr_slot cc_addrs[GEO_ADDR_SLOTS];
} geo_mutable;

typedef struct geo_db
{
	bool		open;
	MMDB_s		mmdb;
	char	   *path;
	gf_geoip_filesig sig;		/* the file as it was when copied */
} geo_db;

struct gf_geoip
{
	geo_db		asn;
	geo_db		country;
	geo_mutable *mut;
};

static const char *const geo_path_iso_code[] = {"country", "iso_code", NULL};
static const char *const geo_path_country_code[] = {"country_code", NULL};
static const char *const geo_path_asn[] = {"autonomous_system_number", NULL};

static void geo_error(char *errbuf, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static void
geo_error(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

static const char *
geo_kind_name(geo_kind kind)
{
	return kind == GEO_ASN ? "ASN" : "country";
}

static void
geo_sig_from_stat(const struct stat *st, gf_geoip_filesig *out)
{
	out->exists = true;
	out->dev = (uint64_t) st->st_dev;
	out->ino = (uint64_t) st->st_ino;
	out->size = (int64_t) st->st_size;
	out->mtime_ns = (int64_t) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

void
gf_geoip_filesig_get(const char *path, gf_geoip_filesig *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (path != NULL && path[0] != '\0' && stat(path, &st) == 0)
		geo_sig_from_stat(&st, out);
}

bool
gf_geoip_filesig_equal(const gf_geoip_filesig *a, const gf_geoip_filesig *b)
{
	if (a->exists != b->exists)
		return false;
	if (!a->exists)
		return true;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
		a->mtime_ns == b->mtime_ns;
}

/*
 * Copies the open file 'fd' (of st->st_size bytes) into a new memfd and
 * returns it, or -1 with errno set.
 */
static int
geo_copy_to_memfd(int fd, const struct stat *st)
{
	char	   *buf;
	int			mfd;
	int64_t		copied = 0;
	int			saved;

	mfd = memfd_create("goflow2plus-geoip", MFD_CLOEXEC);
	if (mfd < 0)
		return -1;
	buf = malloc(1 << 16);
	if (buf == NULL)
	{
		close(mfd);
		errno = ENOMEM;
		return -1;
	}
	for (;;)
	{
		ssize_t		n = read(fd, buf, 1 << 16);
		ssize_t		off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		copied += n;
		if (copied > (int64_t) st->st_size)
			break;				/* growing: caught below */
		while (off < n)
		{
			ssize_t		w = write(mfd, buf + off, (size_t) (n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto fail;
			off += w;
		}
	}
	free(buf);
	if (copied != (int64_t) st->st_size)
	{
		close(mfd);
		errno = EAGAIN;
		return -1;
	}
	return mfd;

fail:
	saved = errno;
	free(buf);
	close(mfd);
	errno = saved;
	return -1;
}

/*
 * Whether the database's type names the other kind: an ASN file given as
 * the country database (or the reverse) would open fine and then miss on
 * every lookup, which is worse than an error.
 */
static bool
geo_type_mismatch(geo_kind kind, const char *type)
{
	bool		says_asn,
				says_geo;

	if (type == NULL)
		return false;
	says_asn = strcasestr(type, "asn") != NULL;
	says_geo = strcasestr(type, "country") != NULL || strcasestr(type, "city") != NULL;
	if (kind == GEO_COUNTRY)
		return says_asn && !says_geo;
	return says_geo && !says_asn;
}

static bool
geo_db_open(geo_db *db, geo_kind kind, const char *path, char *errbuf, size_t errlen)
{
	struct stat st,
				st2;
	gf_geoip_filesig before,
				after;
	char		procpath[64];
	int			fd,
				mfd,
				rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		geo_error(errbuf, errlen, "could not open GeoIP %s database \"%s\": %s",
				  geo_kind_name(kind), path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		geo_error(errbuf, errlen, "GeoIP %s database \"%s\" is not a regular file",
				  geo_kind_name(kind), path);
		close(fd);
		return false;
	}
	if ((int64_t) st.st_size > GF_GEOIP_MAX_FILE_BYTES)
	{
		geo_error(errbuf, errlen, "GeoIP %s database \"%s\" is too large (%lld bytes, at most %lld)",
				  geo_kind_name(kind), path, (long long) st.st_size,
				  (long long) GF_GEOIP_MAX_FILE_BYTES);
		close(fd);
		return false;
	}
	mfd = geo_copy_to_memfd(fd, &st);
	if (mfd < 0)
	{
		geo_error(errbuf, errlen, "could not read GeoIP %s database \"%s\": %s",
				  geo_kind_name(kind), path,
				  errno == EAGAIN ? "it changed size while being read" : strerror(errno));
		close(fd);
		return false;
	}
	/* A writer between our fstat calls means a torn copy: refuse it. */
	geo_sig_from_stat(&st, &before);
	if (fstat(fd, &st2) == 0)
		geo_sig_from_stat(&st2, &after);
	else
		memset(&after, 0, sizeof(after));
	close(fd);
	if (!gf_geoip_filesig_equal(&before, &after))
	{
		geo_error(errbuf, errlen, "could not read GeoIP %s database \"%s\": it changed while being read",
				  geo_kind_name(kind), path);
		close(mfd);
		return false;
	}

	/*
	 * libmaxminddb opens by name and maps the file; our private copy has
	 * one through /proc.  The mapping keeps the memfd alive after close.
	 */
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", mfd);
	memset(&db->mmdb, 0, sizeof(db->mmdb));
	rc = MMDB_open(procpath, MMDB_MODE_MMAP, &db->mmdb);
	close(mfd);
	if (rc != MMDB_SUCCESS)
	{
		geo_error(errbuf, errlen, "GeoIP %s database \"%s\" is not a usable MaxMind DB file: %s",
				  geo_kind_name(kind), path, MMDB_strerror(rc));
		return false;
	}
	if (geo_type_mismatch(kind, db->mmdb.metadata.database_type))
	{
		geo_error(errbuf, errlen, "GeoIP %s database \"%s\" is of type \"%s\", which has no %s data (were the ASN and country files swapped?)",
				  geo_kind_name(kind), path, db->mmdb.metadata.database_type,
				  kind == GEO_ASN ? "AS number" : "country");
		MMDB_close(&db->mmdb);
		return false;
	}
	db->path = strdup(path);
	if (db->path == NULL)
	{
		geo_error(errbuf, errlen, "out of memory");
		MMDB_close(&db->mmdb);
		return false;
	}
	db->sig = before;
	db->open = true;
	return true;
}

static void
geo_db_close(geo_db *db)
{
	if (db->open)
		MMDB_close(&db->mmdb);
	free(db->path);
	db->path = NULL;
	db->open = false;
}

gf_geoip *
gf_geoip_open(const char *asn_path, const char *country_path, char *errbuf, size_t errlen)
{
	gf_geoip   *g;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	g = calloc(1, sizeof(*g));
	if (g == NULL || (g->mut = calloc(1, sizeof(*g->mut))) == NULL)
	{
		free(g);
		geo_error(errbuf, errlen, "out of memory");
		return NULL;
	}
	if ((asn_path != NULL && asn_path[0] != '\0' &&
		 !geo_db_open(&g->asn, GEO_ASN, asn_path, errbuf, errlen)) ||
		(country_path != NULL && country_path[0] != '\0' &&
		 !geo_db_open(&g->country, GEO_COUNTRY, country_path, errbuf, errlen)))
	{
		gf_geoip_close(g);
		return NULL;
	}
	return g;
}

void
gf_geoip_close(gf_geoip *g)
{
	if (g == NULL)
		return;
	geo_db_close(&g->asn);
	geo_db_close(&g->country);
	free(g->mut);
	free(g);
}

bool
gf_geoip_has_asn(const gf_geoip *g)
{
	return g != NULL && g->asn.open;
}

bool
gf_geoip_has_country(const gf_geoip *g)
{
	return g != NULL && g->country.open;
}

/*
 * The value at 'path' in the record: 1 found, 0 absent (or the record is
 * no map of that shape), -1 the data is corrupt.
 */
static int
geo_get(const MMDB_entry_s *entry, const char *const *path, MMDB_entry_data_s *out)
{
	MMDB_entry_s e = *entry;
	int			rc = MMDB_aget_value(&e, out, path);

	if (rc == MMDB_SUCCESS)
		return out->has_data ? 1 : 0;
	if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	return -1;
}

/* Decodes a record's country code into ans->cc; -1 on corrupt data. */
static int
geo_decode_country(const MMDB_entry_s *entry, geo_answer *ans)
{
	MMDB_entry_data_s d;
	int			rc = geo_get(entry, geo_path_iso_code, &d);

	if (rc == 0)
		rc = geo_get(entry, geo_path_country_code, &d);
	if (rc < 0)
		return -1;
	ans->cc[0] = '\0';
	/* Only a 2-letter upper-case code is an ISO 3166 alpha-2 code. */
	if (rc == 1 && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2 &&
		d.utf8_string[0] >= 'A' && d.utf8_string[0] <= 'Z' &&
		d.utf8_string[1] >= 'A' && d.utf8_string[1] <= 'Z')
	{
		ans->cc[0] = d.utf8_string[0];
		ans->cc[1] = d.utf8_string[1];
		ans->cc[2] = '\0';
	}
	return 0;
}

/* Decodes a record's AS number into ans->asn; -1 on corrupt data. */
static int
geo_decode_asn(const MMDB_entry_s *entry, geo_answer *ans)
{
	MMDB_entry_data_s d;
	int			rc = geo_get(entry, geo_path_asn, &d);

	if (rc < 0)
		return -1;
	ans->asn = 0;
	if (rc == 0)
		return 0;
	switch (d.type)
	{
		case MMDB_DATA_TYPE_UINT16:
			ans->asn = d.uint16;
			break;
		case MMDB_DATA_TYPE_UINT32:
			ans->asn = d.uint32;
			break;
		case MMDB_DATA_TYPE_UINT64:
			ans->asn = d.uint64 <= UINT32_MAX ? (uint32_t) d.uint64 : 0;
			break;
		case MMDB_DATA_TYPE_INT32:
			ans->asn = d.int32 > 0 ? (uint32_t) d.int32 : 0;
			break;
		default:
			break;
	}
	return 0;
}

/*
 * The address as it is looked up: IPv4-mapped IPv6 becomes IPv4, so that
 * both spellings share a cache slot and reach the IPv4 part of the tree.
 * False for a flow without that address (family 0).
 */
static bool
geo_key(const gf_addr *a, geo_addr_slot *key)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(key, 0, sizeof(*key));
	if (a->family == 4)
		memcpy(key->bytes, a->bytes, 4);
	else if (a->family == 6 && memcmp(a->bytes, v4mapped, 12) == 0)
		memcpy(key->bytes, a->bytes + 12, 4);
	else if (a->family == 6)
	{
		key->family = 6;
		memcpy(key->bytes, a->bytes, 16);
		return true;
	}
	else
		return false;
	key->family = 4;
	return true;
}

static uint32_t
geo_key_hash(const geo_addr_slot *key)
{
	uint64_t	lo,
				hi;

	memcpy(&lo, key->bytes, 8);
	memcpy(&hi, key->bytes + 8, 8);
	return (uint32_t) (((lo * UINT64_C(0x9e3779b97f4a7c15)) ^
						(hi * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ key->family) >> (64 - GEO_ADDR_BITS));
}

/*
 * The tree walk and the record behind it.  Returns 0 with *ans filled
 * (empty for no network or no usable field), -1 on a libmaxminddb error.
 */
static int
geo_resolve(const geo_db *db, geo_kind kind, geo_mutable *m, const geo_addr_slot *key,
			geo_answer *ans)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	MMDB_lookup_result_s res;
	geo_rec    *slots = kind == GEO_ASN ? m->asn_recs : m->cc_recs;
	geo_rec    *slot;
	geo_rec		rec;
	int			err = MMDB_SUCCESS;

	memset(ans, 0, sizeof(*ans));
	if (key->family == 4)
	{
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, key->bytes, 4);
		sa = (const struct sockaddr *) &sin;
	}
	else
	{
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, key->bytes, 16);
		sa = (const struct sockaddr *) &sin6;
	}
	res = MMDB_lookup_sockaddr(&db->mmdb, sa, &err);
	/* An IPv4-only database knows no IPv6 address: a miss, not an error. */
	if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR || (err == MMDB_SUCCESS && !res.found_entry))
		return 0;
	if (err != MMDB_SUCCESS)
		return -1;

	/* Fibonacci hashing of the offset: records are spread unevenly. */
	slot = &slots[(uint32_t) (res.entry.offset * UINT32_C(2654435769)) >> (32 - GEO_REC_BITS)];
	if (slot->key == res.entry.offset + 1)
		m->stats.record_cache_hits++;
	else
	{
		memset(&rec, 0, sizeof(rec));
		if ((kind == GEO_ASN ? geo_decode_asn(&res.entry, &rec.ans)
			 : geo_decode_country(&res.entry, &rec.ans)) < 0)
			return -1;
		rec.key = res.entry.offset + 1;
		*slot = rec;
	}
	*ans = slot->ans;
	return 0;
}

/*
 * Looks 'a' up in 'db': the answer, or NULL for a miss or an error (both
 * counted).  The pointer is valid until the next lookup.
 */
static const geo_answer *
geo_lookup(const geo_db *db, geo_kind kind, geo_mutable *m, const gf_addr *a)
{
	geo_addr_slot key;
	geo_addr_slot *slot;

	if (!geo_key(a, &key))
		return NULL;
	m->stats.lookups++;
	slot = &(kind == GEO_ASN ? m->asn_addrs : m->cc_addrs)[geo_key_hash(&key)];
	if (slot->family == key.family && memcmp(slot->bytes, key.bytes, 16) == 0)
		m->stats.addr_cache_hits++;
	else
	{
		/* An error is not cached: it is counted each time it happens. */
		if (geo_resolve(db, kind, m, &key, &key.ans) < 0)
		{
			m->stats.errors++;
			return NULL;
		}
		*slot = key;
	}
	if (kind == GEO_ASN ? slot->ans.asn == 0 : slot->ans.cc[0] == '\0')
	{
		m->stats.misses++;
		return NULL;
	}
	m->stats.found++;
	return &slot->ans;
}

void
gf_geoip_country(const gf_geoip *g, const gf_addr *a, char cc[3])
{
	const geo_answer *r = NULL;

	if (g != NULL && g->country.open)
		r = geo_lookup(&g->country, GEO_COUNTRY, g->mut, a);
	if (r != NULL)
		memcpy(cc, r->cc, 3);
	else
		cc[0] = '\0';
}

uint32_t
gf_geoip_asn(const gf_geoip *g, const gf_addr *a)
{
	const geo_answer *r = NULL;

	if (g != NULL && g->asn.open)
		r = geo_lookup(&g->asn, GEO_ASN, g->mut, a);
	return r != NULL ? r->asn : 0;
}

void
gf_geoip_enrich(const gf_geoip *g, gf_flow *f)
{
	uint32_t	as;

	if (g == NULL)
		return;
	if (g->country.open)
	{
		gf_geoip_country(g, &f->src_addr, f->src_country);
		gf_geoip_country(g, &f->dst_addr, f->dst_country);
	}
	if (g->asn.open)
	{
		/* What the exporter said wins, unless it said nothing or 0. */
		if (!GF_HAS(f, GF_F_SRC_AS) || f->src_as == 0)
		{
			as = gf_geoip_asn(g, &f->src_addr);
			if (as != 0)
				GF_SET(f, src_as, GF_F_SRC_AS, as);
		}
		if (!GF_HAS(f, GF_F_DST_AS) || f->dst_as == 0)
		{
			as = gf_geoip_asn(g, &f->dst_addr);
			if (as != 0)
				GF_SET(f, dst_as, GF_F_DST_AS, as);
		}
	}
}

static bool
geo_db_changed(const geo_db *db)
{
	gf_geoip_filesig now;

	if (!db->open)
		return false;
	gf_geoip_filesig_get(db->path, &now);
	return !gf_geoip_filesig_equal(&db->sig, &now);
}

bool
gf_geoip_changed(const gf_geoip *g)
{
	if (g == NULL)
		return false;
	return geo_db_changed(&g->asn) || geo_db_changed(&g->country);
}

void
gf_geoip_get_stats(const gf_geoip *g, gf_geoip_stats *out)
{
	if (g == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = g->mut->stats;
}

/* Appends db's description to buf (after "; " if buf is not empty). */
static void
geo_describe_db(const geo_db *db, const char *name, char *buf, size_t buflen)
{
	size_t		used = strlen(buf);
	time_t		built;
	struct tm	tm;
	char		day[16] = "?";

	if (!db->open || used + 1 >= buflen)
		return;
	built = (time_t) db->mmdb.metadata.build_epoch;
	if (gmtime_r(&built, &tm) != NULL)
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(buf + used, buflen - used, "%s%s \"%s\" (%s, built %s, %lld bytes)",
			 used > 0 ? "; " : "", name, db->path,
			 db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type : "?",
			 day, (long long) db->sig.size);
}

void
gf_geoip_describe(const gf_geoip *g, char *buf, size_t buflen)
{
	if (buflen == 0)
		return;
	buf[0] = '\0';
	if (g != NULL)
	{
		geo_describe_db(&g->country, "country", buf, buflen);
		geo_describe_db(&g->asn, "asn", buf, buflen);
	}
	if (buf[0] == '\0')
		snprintf(buf, buflen, "no database");
}
