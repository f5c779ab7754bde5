/*
 * nats_opts.c
 *    Credentials and TLS into nats.c options (see nats_opts.h).
 */
#include "nats_opts.h"

natsStatus
gf_nats_options_auth(natsOptions *o, const GfNatsConfig *c, const char **what)
{
	natsStatus	s = NATS_OK;

	if (c->user[0])
	{
		*what = "nats_user/nats_password";
		s = natsOptions_SetUserInfo(o, c->user, c->password);
	}
	if (s == NATS_OK && c->token[0])
	{
		*what = "nats_token";
		s = natsOptions_SetToken(o, c->token);
	}
	if (s == NATS_OK && c->creds_file[0])
	{
		*what = "nats_creds";
		s = natsOptions_SetUserCredentialsFromFiles(o, c->creds_file, NULL);
	}
	if (s == NATS_OK && c->nkey_seed_file[0])
	{
		*what = "nats_nkey/nats_nkey_seed";
		s = natsOptions_SetNKeyFromSeed(o, c->nkey, c->nkey_seed_file);
	}
	if (s == NATS_OK && (c->tls_ca[0] || c->tls_cert[0]))
	{
		*what = "nats_tls_ca/nats_tls_cert/nats_tls_key";
		s = natsOptions_SetSecure(o, true);
		if (s == NATS_OK && c->tls_ca[0])
			s = natsOptions_LoadCATrustedCertificates(o, c->tls_ca);
		if (s == NATS_OK && c->tls_cert[0])
			s = natsOptions_LoadCertificatesChain(o, c->tls_cert, c->tls_key);
	}
	return s;
}
