/*
 * unit.h
 *    A minimal test harness for the core layer: CHECK records a failure
 *    with file and line and carries on, so one run reports every broken
 *    expectation; UNIT_MAIN prints the tally and sets the exit status.
 */
#ifndef GF_UNIT_H
#define GF_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	unit_passed;
static int	unit_failed;

#define CHECK(cond) \
	do { \
		if (cond) unit_passed++; \
		else { unit_failed++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
	} while (0)

#define CHECK_EQ_U64(a, b) \
	do { \
		unsigned long long a_ = (unsigned long long) (a), b_ = (unsigned long long) (b); \
		if (a_ == b_) unit_passed++; \
		else { unit_failed++; \
			fprintf(stderr, "%s:%d: %s == %llu, expected %s == %llu\n", \
					__FILE__, __LINE__, #a, a_, #b, b_); } \
	} while (0)

#define CHECK_STR(a, b) \
	do { \
		const char *a_ = (a), *b_ = (b); \
		if (strcmp(a_, b_) == 0) unit_passed++; \
		else { unit_failed++; \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
					__FILE__, __LINE__, #a, a_, b_); } \
	} while (0)

#define UNIT_MAIN_END() \
	do { \
		printf("%s: %d passed, %d failed\n", __FILE__, unit_passed, unit_failed); \
		return unit_failed ? 1 : 0; \
	} while (0)

#endif							/* GF_UNIT_H */
