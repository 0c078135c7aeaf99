/*
 * cron.h - cron schedules: parsing "m h dom mon dow" and finding the next run.
 *
 * The syntax is Vixie cron's: five fields (minute 0-59, hour 0-23,
 * day-of-month 1-31, month 1-12 or jan-dec, day-of-week 0-7 or sun-sat with
 * 0 and 7 both Sunday), each a comma list of '*', N, N-M, with an optional
 * '/step'; or one of @hourly @daily @midnight @weekly @monthly @yearly
 * @annually. As in Vixie cron, when both day fields are restricted a day
 * matches if either does. Times are UTC. Pure: no allocation, no I/O.
 */
#ifndef ORCA_CONFIG_CRON_H
#define ORCA_CONFIG_CRON_H

#include <time.h>

#include "base/err.h"
#include "config/model.h"

#define CRON_MAX_LEN 256  /* longer expressions are rejected */

/*
 * Parses expr into *out. On error returns ERR_INVALID with a message that
 * names the field ("hour 24 is out of range 0-23"). A schedule that can
 * never fire ("0 0 31 2 *") is an error too.
 */
int cron_parse(const char *expr, struct cron_spec *out, struct err *e);

/* True when the UTC time t (seconds ignored) matches. */
bool cron_matches(const struct cron_spec *c, time_t t);

/*
 * The first whole minute strictly after `after` that matches, or (time_t)-1
 * when none falls in the next ten years.
 */
time_t cron_next(const struct cron_spec *c, time_t after);

#endif
