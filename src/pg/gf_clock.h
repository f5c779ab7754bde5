/*
 * gf_clock.h
 *    The two clocks the workers read: a monotonic one in milliseconds for
 *    timers and back-offs (never jumps with the wall clock), and the real
 *    time in nanoseconds for what is stored (time_received).
 */
#ifndef GF_CLOCK_H
#define GF_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
gf_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline uint64_t
gf_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}

#endif							/* GF_CLOCK_H */
