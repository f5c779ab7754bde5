/*
 * maintenance.h
 *    Storage settings (partitions of goflow2plus.flows, retention,
 *    rollups, retention of interface counters and drop samples) and the
 *    maintenance background worker (maintenance.c).
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_MAINTENANCE_H
#define GF_MAINTENANCE_H

extern int	gf_guc_partition_width;	/* goflow2plus.partition_width, s */
extern int	gf_guc_partition_ahead;	/* goflow2plus.partition_ahead */
extern int	gf_guc_retention;	/* goflow2plus.retention, s (0: keep) */
extern int	gf_guc_maintenance_interval;	/* s (0: paused) */
extern bool gf_guc_rollups;		/* goflow2plus.rollups */
/* goflow2plus.rollup_groups */
typedef enum GfRollupGroups
{
	GF_ROLLUP_GROUPS_OFF,
	GF_ROLLUP_GROUPS_ON,
	GF_ROLLUP_GROUPS_AUTO		/* on while networks are at most GF_ROLLUP_AUTO_NETWORKS */
} GfRollupGroups;
#define GF_ROLLUP_AUTO_NETWORKS 10000
extern int	gf_guc_rollup_groups;
extern int	gf_guc_rollup_1m_retention;	/* s */
extern int	gf_guc_rollup_5m_retention;	/* s */
extern int	gf_guc_rollup_1h_retention;	/* s */
extern int	gf_guc_ifcounters_retention;	/* ...interface_counters_retention, s */
extern int	gf_guc_drops_retention;	/* goflow2plus.sflow_drops_retention, s */

/* Defines the settings above (reloadable: every backend sees them). */
extern void gf_maintenance_define_gucs(void);

/* Registers the maintenance worker (from _PG_init, preloaded only). */
extern void gf_maintenance_register(void);

#endif							/* GF_MAINTENANCE_H */
