/*
 * renew.c - when to renew a certificate and when to try again after a
 * failure. Pure arithmetic on milliseconds or seconds, no clock.
 */
#include "tls/internal.h"

int64_t tls_renew_at(int64_t not_before, int64_t not_after)
{
	int64_t life = not_after - not_before;

	if (life <= 0)
		return not_before;
	/* nb + 2/3 life without overflowing for any realistic pair */
	return not_before + life / 3 * 2 + (life % 3) * 2 / 3;
}

int64_t tls_backoff_ms(int failures, int64_t retry_after_ms)
{
	int64_t ms = TLS_BACKOFF_FIRST_MS;

	for (int i = 1; i < failures && ms < TLS_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > TLS_BACKOFF_MAX_MS)
		ms = TLS_BACKOFF_MAX_MS;
	if (retry_after_ms > ms)
		ms = retry_after_ms < 24 * 3600 * 1000LL ? retry_after_ms : 24 * 3600 * 1000LL;
	return ms;
}
