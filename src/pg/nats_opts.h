/*
 * nats_opts.h
 *    The credentials and TLS part of a nats.c connection's options, shared
 *    by the JetStream sink (nats_pub.c) and source (nats_sub.c) so that the
 *    goflow2plus.nats_* credentials mean the same for both.
 *
 *    Plain C: no postgres.h (see nats_pub.h).
 */
#ifndef GF_NATS_OPTS_H
#define GF_NATS_OPTS_H

#include <nats/nats.h>

#include "nats_pub.h"

/*
 * Apply user/password, token, creds file, nkey seed and TLS files of c
 * (empty strings: not used) to o.  On failure *what names the setting
 * that was refused.
 */
extern natsStatus gf_nats_options_auth(natsOptions *o, const GfNatsConfig *c,
									   const char **what);

#endif							/* GF_NATS_OPTS_H */
