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
	 * The header parsed like a flow sample's, with in/out interfaces and
	 * the agent filled; bytes = frame_length, packets = 1.
	 */
	gf_flow		flow;
};

#endif							/* GF_SFLOW_H */
