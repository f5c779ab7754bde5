/*
 * flow_time.h
 *    Flow start/end times from an exporter's 32-bit uptime clock, and the
 *    clock-skew rule, shared by NetFlow v1/v5/v7/v8, v9 and IPFIX.
 *
 *    Uptime readings (v1/v5/v7/v8/v9 First/Last and sysUptime, IPFIX
 *    flowStart/EndSysUpTime) are 32-bit millisecond counters that wrap
 *    every 49.7 days.  The distance from a reading back from the export
 *    time is therefore taken as a signed 32-bit difference: a reading a
 *    little before the export's uptime is in the past even across a wrap,
 *    and one a little after it is a little in the future (a clock fault
 *    the skew rule below then handles), never 49.7 days away.  The cost is
 *    that a flow time more than 24.8 days (2^31 ms) from its export time
 *    cannot be expressed; no exporter keeps a flow open that long.
 *
 *    Clock skew: a flow time more than GF_TIME_SKEW_TOLERANCE_NS after the
 *    export time of its message is impossible for an exporter whose
 *    clocks agree, so it is clamped to the export time and the flow is
 *    counted (flows_clock_skew).  The tolerance is one second because v9
 *    and IPFIX export times are whole seconds: an absolute flow time up to
 *    a second after the stated export time can be genuine.
 */
#ifndef GF_FLOW_TIME_H
#define GF_FLOW_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define GF_TIME_NS_PER_MS		INT64_C(1000000)
#define GF_TIME_SKEW_TOLERANCE_NS UINT64_C(1000000000)

/*
 * The UNIX time in ns of uptime reading at_ms, given that the uptime was
 * export_uptime_ms at export_ns.  0 if that would be before 1970.
 */
static inline uint64_t
gf_time_from_uptime(uint64_t export_ns, uint32_t export_uptime_ms, uint32_t at_ms)
{
	uint32_t	diff = export_uptime_ms - at_ms;

	/* diff as a two's complement int32, written without a narrowing cast. */
	int64_t		ago_ms = diff <= INT32_MAX ? (int64_t) diff : (int64_t) diff - INT64_C(4294967296);

	if (ago_ms >= 0)
	{
		uint64_t	back_ns = (uint64_t) ago_ms * (uint64_t) GF_TIME_NS_PER_MS;

		return back_ns > export_ns ? 0 : export_ns - back_ns;
	}
	/* At most 2^31 ms ahead: no overflow for any 32-bit export second. */
	return export_ns + (uint64_t) (-ago_ms) * (uint64_t) GF_TIME_NS_PER_MS;
}

/*
 * Clamp *t_ns to export_ns if it is after it by more than the tolerance;
 * true if it was.  An export time of 0 means the exporter gave none, so
 * nothing is judged against it.
 */
static inline bool
gf_time_clamp_skew(uint64_t export_ns, uint64_t *t_ns)
{
	if (export_ns == 0 || *t_ns <= export_ns + GF_TIME_SKEW_TOLERANCE_NS)
		return false;
	*t_ns = export_ns;
	return true;
}

#endif							/* GF_FLOW_TIME_H */
