/*
 * sflow.h
 *    What the sFlow v5 decoder hands to sinks besides gf_flow and
 *    gf_ifcounters: the discarded-packet ("drop") sample of the sFlow
 *    dropped packet notification extension (sample format 5).
 *
 *    Choices the sinks should know about:
 *      - sequence_num of a gf_flow is the DATAGRAM sequence number, as in
 *        GoFlow2; the flow sample's own sequence is not kept in gf_flow.
 *        gf_ifcounters.sequence_num and gf_drop_sample.sequence_num are
 *        the sample's own sequence numbers.
 *      - sampler_address is the agent address from the datagram header,
 *        not the UDP source (a relay would otherwise hide the agent).
 *
 *    Core layer: plain C11, no postgres.h.
 */
#ifndef GF_SFLOW_H
#define GF_SFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

/* Interface formats of the compact encoding (top two bits). */
#define GF_SFLOW_IF_INDEX		0
#define GF_SFLOW_IF_DISCARDED	1	/* value = discard reason */
#define GF_SFLOW_IF_MULTIPLE	2	/* value = number of interfaces */

/* Drop-specific records a drop sample carried (gf_drop_sample.ext). */
#define GF_DROP_EXT_EGRESS_QUEUE	0x01	/* format 1036 */
#define GF_DROP_EXT_ACL				0x02	/* 1037 */
#define GF_DROP_EXT_FUNCTION		0x04	/* 1038 */
#define GF_DROP_EXT_TRANSIT			0x08	/* 1039 */
#define GF_DROP_EXT_QUEUE_DEPTH		0x10	/* 1040 */
#define GF_DROP_EXT_HW_TRAP			0x20	/* 1041 */
#define GF_DROP_EXT_LINUX_REASON	0x40	/* 1042 */

/* Longest drop record text kept, terminating NUL included. */
#define GF_DROP_TEXT_MAX			128

struct gf_drop_sample
{
	uint64_t	time_received_ns;
	gf_addr		agent;			/* sFlow agent address */
	uint32_t	sub_agent_id;
	uint32_t	datagram_sequence;
	uint32_t	sequence_num;	/* this drop sample's sequence number */
	uint32_t	source_id_type;
	uint32_t	source_id_index;
	uint32_t	drops;			/* discards the agent could not report */
	/*
	 * Input/output interface words exactly as sent: the drops extension
	 * gives an ifIndex, 0 when unknown (agents may also send the compact
	 * "internal" value 0x3fffffff); no format bits are split off.
	 */
	uint32_t	in_if;
	uint32_t	out_if;
	uint32_t	reason;			/* drop_reason code (sFlow drops spec) */

	/*
	 * The dropped packet's header (flow record 1), pointing into the
	 * datagram: valid only during the sink callback.  header == NULL and
	 * header_len == 0 when the sample carried no header record.
	 */
	uint32_t	header_protocol;
	uint32_t	frame_length;
	const uint8_t *header;
	size_t		header_len;

	/*
	 * The drop-specific records (sFlow dropped packet notification
	 * structures, enterprise 0): a bit of ext per record present.  Texts
	 * are cleaned as gf_if_info's are (NUL-terminated, printable UTF-8,
	 * cut at a character boundary).
	 */
	uint32_t	ext;			/* GF_DROP_EXT_* */
	uint32_t	egress_queue;	/* 1036 extended_egress_queue */
	uint32_t	acl_number;		/* 1037 extended_acl */
	uint32_t	acl_direction;	/* 0 unknown, 1 ingress, 2 egress */
	uint32_t	transit_delay_ns;	/* 1039 extended_transit */
	uint32_t	queue_depth;	/* 1040 extended_queue, bytes */
	char		acl_name[GF_DROP_TEXT_MAX];
	char		function[GF_DROP_TEXT_MAX];	/* 1038 extended_function */
	char		hw_trap_group[GF_DROP_TEXT_MAX];	/* 1041 extended_hw_trap */
	char		hw_trap[GF_DROP_TEXT_MAX];
	char		linux_reason[GF_DROP_TEXT_MAX];	/* 1042 extended_linux_drop_reason */

	/*
	 * The header parsed like a flow sample's, with in/out interfaces and
	 * the agent filled; bytes = frame_length, packets = 1.
	 */
	gf_flow		flow;
};

#endif							/* GF_SFLOW_H */
