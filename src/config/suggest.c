/*
 * suggest.c - the closest known word to a misspelled one.
 */
#include "config/suggest.h"

#include <ctype.h>
#include <string.h>

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

int suggest_distance(const char *a, const char *b)
{
	int d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	size_t n = strlen(a), m = strlen(b);

	if (n > SUGGEST_MAX_LEN || m > SUGGEST_MAX_LEN)
		return SUGGEST_MAX_LEN + 1;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			int cost = ca != cb;

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[n][m];
}

/* How many edits still look like a typo of a word this long. */
static int tolerance(size_t len)
{
	if (len <= 3)
		return 1;
	return len <= 6 ? 2 : 3;
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	int best_d = SUGGEST_MAX_LEN + 1;

	for (size_t i = 0; i < n; i++) {
		size_t len;
		int dist;

		if (candidates[i] == NULL)
			continue;
		dist = suggest_distance(word, candidates[i]);
		len = strlen(candidates[i]);
		if (strlen(word) > len)
			len = strlen(word);
		if (dist <= tolerance(len) && dist < best_d) {
			best = candidates[i];
			best_d = dist;
		}
	}
	return best;
}
