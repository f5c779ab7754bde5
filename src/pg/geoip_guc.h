/*
 * geoip_guc.h
 *    GeoIP enrichment in the server (geoip_guc.c): the settings
 *    goflow2plus.db_asn and goflow2plus.db_country (GoFlow2+'s -db.asn and
 *    -db.country), and the per-process databases they name.
 *
 *    Who calls what:
 *    - _PG_init: gf_geoip_define_gucs(), before MarkGUCPrefixReserved;
 *    - a worker: gf_geoip_refresh() at start, after each SIGHUP and once a
 *      second; gf_geoip_apply() on each flow before it is written;
 *    - a backend running goflow2plus.decode(): gf_geoip_refresh_if_due()
 *      once per call, gf_geoip_apply() on each flow it returns.
 *
 *    Nothing here raises an ERROR: a missing or bad file is logged (once
 *    per distinct failure), the databases opened before stay in use, and
 *    without any, flows simply get no GeoIP.  Include postgres.h first.
 */
#ifndef GF_GEOIP_GUC_H
#define GF_GEOIP_GUC_H

#include "flow.h"
#include "geoip.h"

extern char *gf_guc_db_asn;		/* goflow2plus.db_asn */
extern char *gf_guc_db_country; /* goflow2plus.db_country */

/* Defines the two PGC_SIGHUP settings. */
extern void gf_geoip_define_gucs(void);

/*
 * Opens, reopens or closes this process's databases to match the settings
 * and the files: a setting that changed, or a file whose inode, size or
 * modification time changed, is (re)opened; a file that failed to open is
 * retried only once it changes.  Cheap when nothing changed: two string
 * compares and a stat per file.
 */
extern void gf_geoip_refresh(void);

/* gf_geoip_refresh, with the files stat'ed at most once a second. */
extern void gf_geoip_refresh_if_due(void);

/* Whether any GeoIP database is open (so that a caller may skip a copy). */
extern bool gf_geoip_active(void);

/* Enriches one flow with what is open (geoip.h's rules); no-op when none. */
extern void gf_geoip_apply(gf_flow *f);

/* This process's lookup counters, summed over every database it opened. */
extern void gf_geoip_process_stats(gf_geoip_stats *out);

#endif							/* GF_GEOIP_GUC_H */
