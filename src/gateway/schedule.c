/* Per-partner schedule of the daemon: each partner is polled every `schedule.every` seconds,
 * the most overdue first, so one slow partner does not starve the others. */
#include <stdlib.h>

#include "gateway/gateway.h"

int dg_gw_schedule_init(dg_gw_schedule *s, const dg_gw_config *cfg, int64_t now)
{
    s->n = cfg->n_partners;
    s->next_due = calloc(s->n ? s->n : 1, sizeof *s->next_due);
    if (!s->next_due)
        return DG_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        s->next_due[i] = now; /* everyone is polled once at start */
    return 0;
}

void dg_gw_schedule_free(dg_gw_schedule *s)
{
    free(s->next_due);
    s->next_due = NULL;
    s->n = 0;
}

long dg_gw_schedule_due(const dg_gw_schedule *s, int64_t now, long *wait)
{
    long best = -1;
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < s->n; i++) {
        if (s->next_due[i] <= now && (best < 0 || s->next_due[i] < s->next_due[best]))
            best = (long)i;
        if (s->next_due[i] < next)
            next = s->next_due[i];
    }
    if (wait)
        *wait = best >= 0 ? 0 : (next == INT64_MAX ? 60 : (long)(next - now));
    return best;
}

void dg_gw_schedule_done(dg_gw_schedule *s, const dg_gw_config *cfg, size_t i, int64_t now)
{
    long every = cfg->partners[i].every_seconds > 0 ? cfg->partners[i].every_seconds : 60;
    s->next_due[i] = now + every;
}

int dg_gw_parse_duration(const char *text, long *seconds)
{
    if (!text || !*text)
        return DG_EINVAL;
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || v < 0)
        return DG_EINVAL;
    long mul = 1;
    if (*end == 's' || *end == '\0')
        mul = 1;
    else if (*end == 'm')
        mul = 60;
    else if (*end == 'h')
        mul = 3600;
    else if (*end == 'd')
        mul = 86400;
    else
        return DG_EINVAL;
    if (*end && end[1])
        return DG_EINVAL;
    *seconds = v * mul;
    return 0;
}
