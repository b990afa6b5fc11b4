/* Control numbers seen so far: runs of counters plus a hash table for the rest (ctlset.h). */
#include "x12/ctlset.h"

#include <stdlib.h>
#include <string.h>

/* CTL_RUNS bounds the runs (64 KiB) and with them the cost of inserting one in the middle:
 * numbers in no order at all end up in the hash table, as before. */
enum { CTL_DIGITS = 15, CTL_RUNS = 4096 };
#define CTL_TEN15 1000000000000000ull

/* A number of 1-15 digits as one ordered code: digits * 10^15 + value. "0007" and "00007" stay
 * different numbers, consecutive numbers of one width have consecutive codes, and the order is
 * width first, then value. Returns false for anything else. */
static bool ctl_code(const char *s, uint64_t *code)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n] >= '0' && s[n] <= '9'; n++) {
        if (n == CTL_DIGITS)
            return false;
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (s[n] || !n)
        return false;
    *code = (uint64_t)n * CTL_TEN15 + v;
    return true;
}

static uint64_t ctl_mix(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then murmur3's finalizer for the low bits */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* Numbers out of order are often still counters: a numeric one takes the slot of its value, so
 * neighbours fill neighbouring slots. Numbers chosen to collide (multiples of the table size)
 * would make long runs of probes: the first run of CTL_PROBES switches the table to ctl_mix for
 * good (ctl_rehash). */
enum { CTL_PROBES = 32 };

static uint64_t ctl_hash(const dg_ctlset *cs, const char *s)
{
    uint64_t v = 0;
    const char *p = s;
    for (; !cs->mixed && *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (uint64_t)(*p - '0'); /* at most 15 digits: no overflow */
    return !cs->mixed && !*p && p != s ? v : ctl_mix(s);
}

/* Moves the keys into a table of ncap slots; a long run of probes there switches to ctl_mix. */
static void ctl_rehash(dg_ctlset *cs, size_t ncap)
{
    for (;;) {
        char(*nk)[16] = calloc(ncap, 16);
        if (!nk)
            abort();
        bool long_run = false;
        for (size_t i = 0; i < cs->cap && !long_run; i++) {
            if (!cs->key[i][0])
                continue;
            size_t j = ctl_hash(cs, cs->key[i]) & (ncap - 1), probes = 0;
            while (nk[j][0] && !(long_run = ++probes > CTL_PROBES && !cs->mixed))
                j = (j + 1) & (ncap - 1);
            memcpy(nk[j], cs->key[i], 16);
        }
        if (long_run) {
            free(nk);
            cs->mixed = true;
            continue;
        }
        free(cs->key);
        cs->key = nk;
        cs->cap = ncap;
        return;
    }
}

/* Finds k in the table; with add, puts it there when missing. Returns true when it was there. */
static bool table_find(dg_ctlset *cs, const char *k, bool add)
{
    if (!add && !cs->n)
        return false;
    if (add && cs->n * 2 >= cs->cap)
        ctl_rehash(cs, cs->cap ? cs->cap * 2 : 64);
    size_t j = ctl_hash(cs, k) & (cs->cap - 1), probes = 0;
    while (cs->key[j][0]) {
        if (!strcmp(cs->key[j], k))
            return true;
        j = (j + 1) & (cs->cap - 1);
        if (++probes > CTL_PROBES && !cs->mixed) { /* crafted to collide: hash them all */
            cs->mixed = true;
            ctl_rehash(cs, cs->cap);
            j = ctl_hash(cs, k) & (cs->cap - 1);
        }
    }
    if (add) {
        memcpy(cs->key[j], k, 16);
        cs->n++;
    }
    return false;
}

/* The first run that ends at or after code (n_run when none does). */
static size_t run_at(const dg_ctlset *cs, uint64_t code)
{
    if (!cs->n_run || code > cs->run[cs->n_run - 1].hi)
        return cs->n_run; /* the usual case: the next counter */
    size_t lo = 0, hi = cs->n_run;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->run[mid].hi < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Puts code into the runs at position i (run_at): extends a neighbour, joins two, or inserts a
 * run of its own. Returns false when that would need a run more than CTL_RUNS allow. */
static bool runs_take(dg_ctlset *cs, size_t i, uint64_t code)
{
    dg_ctl_run *prev = i ? &cs->run[i - 1] : NULL, *next = i < cs->n_run ? &cs->run[i] : NULL;
    bool after_prev = prev && code == prev->hi + 1, before_next = next && code + 1 == next->lo;
    if (after_prev && before_next) { /* the gap between two runs closes */
        prev->hi = next->hi;
        memmove(next, next + 1, (cs->n_run - i - 1) * sizeof *next);
        cs->n_run--;
    } else if (after_prev) {
        prev->hi = code;
    } else if (before_next) {
        next->lo = code;
    } else {
        if (cs->n_run == CTL_RUNS)
            return false;
        if (cs->n_run == cs->run_cap) {
            size_t ncap = cs->run_cap ? cs->run_cap * 2 : 8;
            dg_ctl_run *nr = realloc(cs->run, ncap * sizeof *nr);
            if (!nr)
                abort();
            cs->run = nr;
            cs->run_cap = ncap;
        }
        memmove(&cs->run[i + 1], &cs->run[i], (cs->n_run - i) * sizeof *cs->run);
        cs->run[i] = (dg_ctl_run){code, code};
        cs->n_run++;
    }
    return true;
}

bool dg_ctlset_add(dg_ctlset *cs, const char *s)
{
    char k[16] = "\x01"; /* "" is kept as \x01: an empty slot is "" (no printf: once per set) */
    if (*s)
        strncpy(k, s, sizeof k - 1);
    k[sizeof k - 1] = '\0';
    uint64_t code;
    if (!ctl_code(k, &code))
        return !table_find(cs, k, true);
    size_t i = run_at(cs, code);
    if (i < cs->n_run && cs->run[i].lo <= code)
        return false; /* inside a run */
    /* a number that went to the table (runs full) must not come back in a run */
    if (table_find(cs, k, false))
        return false;
    return runs_take(cs, i, code) || !table_find(cs, k, true);
}
void dg_ctlset_clear(dg_ctlset *cs)
{
    if (cs->n)
        memset(cs->key, 0, cs->cap * 16);
    cs->n = 0;
    cs->n_run = 0;
    cs->mixed = false;
}

void dg_ctlset_free(dg_ctlset *cs)
{
    free(cs->key);
    free(cs->run);
    *cs = (dg_ctlset){0};
}

size_t dg_ctlset_bytes(const dg_ctlset *cs)
{
    return cs->cap * 16 + cs->run_cap * sizeof *cs->run;
}
