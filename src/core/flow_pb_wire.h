/*
 * flow_pb_wire.h
 *    What both bin encoders (flow_pb.c, written field by field, and
 *    flow_pb_ref.c, protobuf-c's packing) must compute alike: a varint's
 *    length and GoFlow2's MAC form.  Core-internal.
 */
#ifndef GF_FLOW_PB_WIRE_H
#define GF_FLOW_PB_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of v as a protobuf varint (1 to 10). */
static inline size_t
gf_pb_varint_len(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

/* GoFlow2's MAC: the six bytes big-endian in the low 48 bits of a uint64. */
static inline uint64_t
gf_pb_mac48(const uint8_t *mac)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return v;
}

#endif							/* GF_FLOW_PB_WIRE_H */
