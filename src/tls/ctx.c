/*
 * ctx.c - a server SSL_CTX for one certificate chain and its key.
 *
 * TLS 1.2 and 1.3 with OpenSSL's default ciphers, no compression, no
 * renegotiation. The caller's setup hook runs last: the proxy adds its ALPN
 * list there, which OpenSSL reads from the context SNI selected.
 */
#include "tls/internal.h"

SSL_CTX *tls_ctx_new(const char *chain_pem, size_t chain_len, EVP_PKEY *key,
		     tls_ctx_setup_fn setup, void *setup_arg, struct err *e)
{
	STACK_OF(X509) *chain = tls_chain_from_pem(chain_pem, chain_len, e);
	SSL_CTX *ctx = NULL;

	if (chain == NULL)
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		tls_ossl_err(e, "cannot create a TLS context");
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (!SSL_CTX_use_certificate(ctx, sk_X509_value(chain, 0))) {
		tls_ossl_err(e, "unusable certificate");
		goto fail;
	}
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (!SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i))) {
			tls_ossl_err(e, "unusable chain certificate");
			goto fail;
		}
	if (!SSL_CTX_use_PrivateKey(ctx, key) || !SSL_CTX_check_private_key(ctx)) {
		tls_ossl_err(e, "the key does not match the certificate");
		goto fail;
	}
	if (setup != NULL)
		setup(setup_arg, ctx);
	sk_X509_pop_free(chain, X509_free);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	return NULL;
}
