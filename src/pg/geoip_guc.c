/*
 * geoip_guc.c
 *    The settings goflow2plus.db_asn / goflow2plus.db_country and the
 *    GeoIP databases of this process (geoip_guc.h), on top of the core's
 *    geoip.h.
 *
 *    The ASN and the country database are two separate core handles, so
 *    that one bad file does not take the other's enrichment away, and each
 *    keeps the database it had when a new file fails to open.  Handles and
 *    strings are malloc'd (process lifetime, and no palloc that could
 *    ERROR in the middle of the worker's loop).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "geoip_guc.h"

char	   *gf_guc_db_asn = NULL;
char	   *gf_guc_db_country = NULL;

typedef struct GeoSlot
{
	const char *what;			/* "ASN" or "country" */
	const char *setting;		/* the setting's name, for messages */
	bool		is_asn;
	gf_geoip   *h;				/* open database, or NULL */
	char	   *path;			/* the value h was opened for */
	/* The last failed attempt, retried only once the file changes. */
	char	   *failed_path;
	gf_geoip_filesig failed_sig;
	char		logged[512];	/* the failure last logged: log each once */
} GeoSlot;

static GeoSlot geo_asn = {"ASN", "goflow2plus.db_asn", true};
static GeoSlot geo_country = {"country", "goflow2plus.db_country", false};

/* Counters of handles already closed, so that totals survive reopens. */
static gf_geoip_stats geo_closed_stats;
static TimestampTz geo_last_stat = 0;

void
gf_geoip_define_gucs(void)
{
	DefineCustomStringVariable("goflow2plus.db_asn",
							   "MaxMind DB file (GeoLite2-ASN layout) that fills src_as and dst_as where the exporter sent none or 0; GoFlow2+'s -db.asn. Empty: off.",
							   "Reloaded when the setting or the file (inode, size, modification time) changes. A missing or bad file is logged and leaves flows without GeoIP AS numbers; the database loaded before stays in use.",
							   &gf_guc_db_asn,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.db_country",
							   "MaxMind DB file (GeoLite2-Country/City or ip-location-db country layout) that fills src_country and dst_country; GoFlow2+'s -db.country. Empty: off.",
							   "Reloaded when the setting or the file (inode, size, modification time) changes. A missing or bad file is logged and leaves flows without countries; the database loaded before stays in use.",
							   &gf_guc_db_country,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
}

static void
geo_stats_add(gf_geoip_stats *sum, const gf_geoip_stats *s)
{
	sum->lookups += s->lookups;
	sum->found += s->found;
	sum->misses += s->misses;
	sum->errors += s->errors;
	sum->addr_cache_hits += s->addr_cache_hits;
	sum->record_cache_hits += s->record_cache_hits;
}

static void
geo_close_handle(GeoSlot *s)
{
	gf_geoip_stats st;

	if (s->h == NULL)
		return;
	gf_geoip_get_stats(s->h, &st);
	geo_stats_add(&geo_closed_stats, &st);
	gf_geoip_close(s->h);
	s->h = NULL;
}

static void
geo_forget_failure(GeoSlot *s)
{
	free(s->failed_path);
	s->failed_path = NULL;
	s->logged[0] = '\0';
}

static void
geo_refresh_slot(GeoSlot *s, const char *setting, bool check_files)
{
	gf_geoip_filesig sig;
	gf_geoip   *h;
	char		err[512];
	char		desc[1024];
	char	   *path_copy;

	if (setting == NULL || setting[0] == '\0')
	{
		if (s->h != NULL)
			ereport(IsBackgroundWorker ? LOG : DEBUG1,
					(errmsg("goflow2plus: GeoIP %s lookups off (%s is empty)",
							s->what, s->setting)));
		geo_close_handle(s);
		free(s->path);
		s->path = NULL;
		geo_forget_failure(s);
		return;
	}

	/* The open database still matches the setting and its file. */
	if (s->h != NULL && strcmp(s->path, setting) == 0 &&
		(!check_files || !gf_geoip_changed(s->h)))
		return;
	/* A file that failed and has not changed since fails again. */
	gf_geoip_filesig_get(setting, &sig);
	if (s->failed_path != NULL && strcmp(s->failed_path, setting) == 0 &&
		(!check_files || gf_geoip_filesig_equal(&s->failed_sig, &sig)))
		return;

	h = gf_geoip_open(s->is_asn ? setting : NULL, s->is_asn ? NULL : setting,
					  err, sizeof(err));
	path_copy = h != NULL ? strdup(setting) : NULL;
	if (h != NULL && path_copy != NULL)
	{
		geo_close_handle(s);
		free(s->path);
		s->h = h;
		s->path = path_copy;
		geo_forget_failure(s);
		gf_geoip_describe(h, desc, sizeof(desc));
		/* Workers say it once; each backend running decode() would repeat it. */
		ereport(IsBackgroundWorker ? LOG : DEBUG1,
				(errmsg("goflow2plus: GeoIP %s database loaded: %s", s->what, desc)));
		return;
	}
	if (h != NULL)
	{
		gf_geoip_close(h);
		snprintf(err, sizeof(err), "out of memory loading GeoIP %s database \"%s\"",
				 s->what, setting);
	}

	free(s->failed_path);
	s->failed_path = strdup(setting);
	s->failed_sig = sig;
	if (strcmp(err, s->logged) == 0)
		return;
	strlcpy(s->logged, err, sizeof(s->logged));
	ereport(WARNING,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("goflow2plus: %s", err),
			 s->h != NULL ?
			 errdetail("Flows are still enriched from the %s database loaded before, \"%s\".",
					   s->what, s->path) :
			 errdetail("Flows get no GeoIP %s until the file can be read.",
					   s->is_asn ? "AS numbers" : "countries"),
			 errhint("Point %s at a MaxMind DB (.mmdb) file readable by the server, or set it to '' to turn the lookup off; the file is retried when it changes.",
					 s->setting)));
}

void
gf_geoip_refresh(void)
{
	geo_refresh_slot(&geo_asn, gf_guc_db_asn, true);
	geo_refresh_slot(&geo_country, gf_guc_db_country, true);
	geo_last_stat = GetCurrentTimestamp();
}

void
gf_geoip_refresh_if_due(void)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		due = now - geo_last_stat >= USECS_PER_SEC || now < geo_last_stat;

	/* A changed setting is acted on at once; files are stat'ed when due. */
	geo_refresh_slot(&geo_asn, gf_guc_db_asn, due);
	geo_refresh_slot(&geo_country, gf_guc_db_country, due);
	if (due)
		geo_last_stat = now;
}

bool
gf_geoip_active(void)
{
	return geo_asn.h != NULL || geo_country.h != NULL;
}

void
gf_geoip_apply(gf_flow *f)
{
	if (geo_asn.h != NULL)
		gf_geoip_enrich(geo_asn.h, f);
	if (geo_country.h != NULL)
		gf_geoip_enrich(geo_country.h, f);
}

void
gf_geoip_process_stats(gf_geoip_stats *out)
{
	gf_geoip_stats st;

	*out = geo_closed_stats;
	if (geo_asn.h != NULL)
	{
		gf_geoip_get_stats(geo_asn.h, &st);
		geo_stats_add(out, &st);
	}
	if (geo_country.h != NULL)
	{
		gf_geoip_get_stats(geo_country.h, &st);
		geo_stats_add(out, &st);
	}
}
