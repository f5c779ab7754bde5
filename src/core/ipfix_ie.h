/*
 * ipfix_ie.h
 *    Names for the information elements the NetFlow v9 / IPFIX decoder
 *    reads, spelt as in IANA's "IPFIX Information Elements" registry
 *    (https://www.iana.org/assignments/ipfix, RFC 7012): GF_IE_ followed by
 *    the registry name in upper snake case.  Numbers 1 to 127 are NetFlow
 *    v9 field types (RFC 3954) that IPFIX kept with the same meaning;
 *    where v9's own name differs, or v9 means something else, the comment
 *    says so, and netflow_fields.c decides by the record's version.
 *
 *    Only the elements the core maps are listed: any other number in a
 *    template is skipped (docs/columns.md maps each column to its
 *    elements).  Enterprise-specific elements (bit 0x8000 in a template)
 *    never reach this numbering.  Internal to the core.
 */
#ifndef GF_IPFIX_IE_H
#define GF_IPFIX_IE_H

typedef enum gf_ie
{
	/* Counters */
	GF_IE_OCTET_DELTA_COUNT = 1,	/* v9 IN_BYTES */
	GF_IE_PACKET_DELTA_COUNT = 2,	/* v9 IN_PKTS */
	GF_IE_POST_OCTET_DELTA_COUNT = 23,	/* v9 OUT_BYTES */
	GF_IE_POST_PACKET_DELTA_COUNT = 24, /* v9 OUT_PKTS */
	GF_IE_OCTET_TOTAL_COUNT = 85,	/* v9 IN_PERMANENT_BYTES */
	GF_IE_PACKET_TOTAL_COUNT = 86,	/* v9 IN_PERMANENT_PKTS */
	/* Bidirectional counters (Cisco ASA NSEL: NF_F_FWD/REV_FLOW_DELTA_BYTES) */
	GF_IE_INITIATOR_OCTETS = 231,
	GF_IE_RESPONDER_OCTETS = 232,
	GF_IE_INITIATOR_PACKETS = 298,
	GF_IE_RESPONDER_PACKETS = 299,
	GF_IE_FIREWALL_EVENT = 233, /* NSEL NF_F_FW_EVENT */

	/* IP and transport header fields */
	GF_IE_PROTOCOL_IDENTIFIER = 4,
	GF_IE_IP_CLASS_OF_SERVICE = 5,	/* v9 SRC_TOS */
	GF_IE_TCP_CONTROL_BITS = 6,
	GF_IE_SOURCE_TRANSPORT_PORT = 7,	/* v9 L4_SRC_PORT */
	GF_IE_DESTINATION_TRANSPORT_PORT = 11,	/* v9 L4_DST_PORT */
	GF_IE_FLOW_LABEL_IPV6 = 31,
	GF_IE_ICMP_TYPE_CODE_IPV4 = 32, /* type * 256 + code */
	GF_IE_FRAGMENT_IDENTIFICATION = 54,
	GF_IE_IP_VERSION = 60,
	GF_IE_FRAGMENT_OFFSET = 88,
	GF_IE_ICMP_TYPE_CODE_IPV6 = 139,
	GF_IE_ICMP_TYPE_IPV4 = 176,
	GF_IE_ICMP_CODE_IPV4 = 177,
	GF_IE_ICMP_TYPE_IPV6 = 178,
	GF_IE_ICMP_CODE_IPV6 = 179,
	GF_IE_IP_TTL = 192,
	GF_IE_FRAGMENT_FLAGS = 197,
	GF_IE_ETHERNET_TYPE = 256,

	/* Addresses and prefix lengths */
	GF_IE_SOURCE_IPV4_ADDRESS = 8,
	GF_IE_SOURCE_IPV4_PREFIX_LENGTH = 9,	/* v9 SRC_MASK */
	GF_IE_DESTINATION_IPV4_ADDRESS = 12,
	GF_IE_DESTINATION_IPV4_PREFIX_LENGTH = 13,	/* v9 DST_MASK */
	GF_IE_IP_NEXT_HOP_IPV4_ADDRESS = 15,
	GF_IE_BGP_NEXT_HOP_IPV4_ADDRESS = 18,
	GF_IE_SOURCE_IPV6_ADDRESS = 27,
	GF_IE_DESTINATION_IPV6_ADDRESS = 28,
	GF_IE_SOURCE_IPV6_PREFIX_LENGTH = 29,	/* v9 IPV6_SRC_MASK */
	GF_IE_DESTINATION_IPV6_PREFIX_LENGTH = 30,	/* v9 IPV6_DST_MASK */
	GF_IE_IP_NEXT_HOP_IPV6_ADDRESS = 62,
	GF_IE_BGP_NEXT_HOP_IPV6_ADDRESS = 63,

	/* Interfaces and forwarding */
	GF_IE_INGRESS_INTERFACE = 10,	/* v9 INPUT_SNMP */
	GF_IE_EGRESS_INTERFACE = 14,	/* v9 OUTPUT_SNMP */
	GF_IE_FORWARDING_STATUS = 89,
	/* Options data only (Cisco "option interface-table"): strings */
	GF_IE_INTERFACE_NAME = 82,	/* v9 IF_NAME */
	GF_IE_INTERFACE_DESCRIPTION = 83,	/* v9 IF_DESC */

	/* Routing: autonomous systems */
	GF_IE_BGP_SOURCE_AS_NUMBER = 16,
	GF_IE_BGP_DESTINATION_AS_NUMBER = 17,
	GF_IE_BGP_NEXT_ADJACENT_AS_NUMBER = 128,

	/* Layer 2: MACs and VLANs */
	GF_IE_SOURCE_MAC_ADDRESS = 56,	/* v9 IN_SRC_MAC */
	GF_IE_POST_DESTINATION_MAC_ADDRESS = 57,	/* v9 OUT_DST_MAC */
	GF_IE_VLAN_ID = 58,			/* v9 SRC_VLAN */
	GF_IE_POST_VLAN_ID = 59,	/* v9 DST_VLAN */
	GF_IE_DESTINATION_MAC_ADDRESS = 80, /* v9 IN_DST_MAC */
	GF_IE_POST_SOURCE_MAC_ADDRESS = 81, /* v9 OUT_SRC_MAC */
	GF_IE_DOT1Q_VLAN_ID = 243,

	/* MPLS label stack entries, top first (v9 MPLS_LABEL_1 .. _10) */
	GF_IE_MPLS_TOP_LABEL_STACK_SECTION = 70,
	GF_IE_MPLS_LABEL_STACK_SECTION2 = 71,
	GF_IE_MPLS_LABEL_STACK_SECTION3 = 72,
	GF_IE_MPLS_LABEL_STACK_SECTION4 = 73,
	GF_IE_MPLS_LABEL_STACK_SECTION5 = 74,
	GF_IE_MPLS_LABEL_STACK_SECTION6 = 75,
	GF_IE_MPLS_LABEL_STACK_SECTION7 = 76,
	GF_IE_MPLS_LABEL_STACK_SECTION8 = 77,
	GF_IE_MPLS_LABEL_STACK_SECTION9 = 78,
	GF_IE_MPLS_LABEL_STACK_SECTION10 = 79,

	/* Metering process */
	GF_IE_OBSERVATION_POINT_ID = 138,
	GF_IE_OBSERVATION_DOMAIN_ID = 149,

	/*
	 * Times.  The absolute ones come in start/end pairs with the start
	 * even, which netflow_fields.c relies on.
	 */
	GF_IE_FLOW_END_SYS_UP_TIME = 21,	/* v9 LAST_SWITCHED */
	GF_IE_FLOW_START_SYS_UP_TIME = 22,	/* v9 FIRST_SWITCHED */
	GF_IE_FLOW_START_SECONDS = 150,
	GF_IE_FLOW_END_SECONDS = 151,
	GF_IE_FLOW_START_MILLISECONDS = 152,
	GF_IE_FLOW_END_MILLISECONDS = 153,
	GF_IE_FLOW_START_MICROSECONDS = 154,
	GF_IE_FLOW_END_MICROSECONDS = 155,
	GF_IE_FLOW_START_NANOSECONDS = 156,
	GF_IE_FLOW_END_NANOSECONDS = 157,
	GF_IE_FLOW_START_DELTA_MICROSECONDS = 158,
	GF_IE_FLOW_END_DELTA_MICROSECONDS = 159,
	GF_IE_SYSTEM_INIT_TIME_MILLISECONDS = 160,

	/* Sampling, in data records or in options data */
	GF_IE_SAMPLING_INTERVAL = 34,	/* deprecated in IPFIX, common in v9 */
	GF_IE_SAMPLER_ID = 48,		/* v9 FLOW_SAMPLER_ID; deprecated */
	GF_IE_SAMPLER_RANDOM_INTERVAL = 50, /* deprecated in IPFIX */
	GF_IE_SELECTOR_ID = 302,
	GF_IE_SAMPLING_PACKET_INTERVAL = 305,
	GF_IE_SAMPLING_PACKET_SPACE = 306,
	GF_IE_SAMPLING_SIZE = 309,
	GF_IE_SAMPLING_POPULATION = 310,

	/* A sampled packet's frame (PSAMP-style reports, RFC 5477) */
	GF_IE_DATA_LINK_FRAME_SIZE = 312,
	GF_IE_DATA_LINK_FRAME_SECTION = 315
} gf_ie;

#endif							/* GF_IPFIX_IE_H */
