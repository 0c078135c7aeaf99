/*
 * suggest.h - "did you mean ...?" by edit distance.
 *
 * Pure and bounded: words longer than SUGGEST_MAX_LEN get no suggestion.
 */
#ifndef ORCA_CONFIG_SUGGEST_H
#define ORCA_CONFIG_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_LEN 64

/*
 * Optimal-string-alignment distance (insertions, deletions, substitutions,
 * adjacent transpositions), ignoring ASCII case. Returns SUGGEST_MAX_LEN + 1
 * when either word is longer than SUGGEST_MAX_LEN.
 */
int suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to word when it is close enough to be a likely typo
 * (1 edit for short words, 2 up to 6 letters, 3 beyond), else NULL. Ties go
 * to the earlier candidate; NULL entries are skipped. Returns a borrowed
 * pointer into candidates.
 */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);

#endif
