/*
 * ifcounters.h
 *    Interface counters from sFlow counter samples (generic interface
 *    record 1 and Ethernet record 2), one struct per interface per sample.
 *    The table writer stores them in goflow2plus.interface_counters.
 */
#ifndef GF_IFCOUNTERS_H
#define GF_IFCOUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

typedef struct gf_ifcounters
{
	uint64_t	time_received_ns;
	gf_addr		sampler_address;
	uint32_t	sub_agent_id;
	uint32_t	sequence_num;	/* counter sample sequence number */
	uint32_t	source_id_type;
	uint32_t	source_id_index;

	bool		has_generic;	/* record 1 seen */
	uint32_t	if_index;
	uint32_t	if_type;
	uint64_t	if_speed;
	uint32_t	if_direction;	/* 0 unknown, 1 full, 2 half, 3 in, 4 out */
	uint32_t	if_status;		/* bit 0 admin up, bit 1 oper up */
	uint64_t	in_octets;
	uint32_t	in_ucast_pkts;
	uint32_t	in_multicast_pkts;
	uint32_t	in_broadcast_pkts;
	uint32_t	in_discards;
	uint32_t	in_errors;
	uint32_t	in_unknown_protos;
	uint64_t	out_octets;
	uint32_t	out_ucast_pkts;
	uint32_t	out_multicast_pkts;
	uint32_t	out_broadcast_pkts;
	uint32_t	out_discards;
	uint32_t	out_errors;
	uint32_t	promiscuous_mode;

	bool		has_ethernet;	/* record 2 seen */
	uint32_t	dot3_alignment_errors;
	uint32_t	dot3_fcs_errors;
	uint32_t	dot3_single_collision_frames;
	uint32_t	dot3_multiple_collision_frames;
	uint32_t	dot3_sqe_test_errors;
	uint32_t	dot3_deferred_transmissions;
	uint32_t	dot3_late_collisions;
	uint32_t	dot3_excessive_collisions;
	uint32_t	dot3_internal_mac_transmit_errors;
	uint32_t	dot3_carrier_sense_errors;
	uint32_t	dot3_frame_too_longs;
	uint32_t	dot3_internal_mac_receive_errors;
	uint32_t	dot3_symbol_errors;
} gf_ifcounters;

#endif							/* GF_IFCOUNTERS_H */
