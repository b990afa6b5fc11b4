/* The set of control numbers seen so far (internal to src/x12): ST02 per group, GS06 per
 * interchange, ISA13 per file, for the "repeats an earlier one" checks. */
#ifndef DG_X12_CTLSET_H
#define DG_X12_CTLSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control numbers are nearly always counters: a numeric one extends, joins or starts a run
 * [lo, hi] of a sorted array, so a group of 300,000 sets numbered 0001, 0002, ... holds one run
 * and memory stays flat with the group's size, a few numbers out of order included. Numbers that
 * are not all digits, and numeric ones once the runs are at their bound, go into an
 * open-addressing hash table. */
typedef struct dg_ctl_run {
    uint64_t lo, hi; /* ctl_code() of the first and the last number of the run */
} dg_ctl_run;

typedef struct dg_ctlset {
    dg_ctl_run *run;
    size_t n_run, run_cap;
    char (*key)[16]; /* the hash table: numbers at most 15 chars, "" kept as "\x01" */
    size_t cap, n;
    bool mixed; /* a run of probes grew long: every key is hashed by ctl_mix (see ctl_hash) */
} dg_ctlset;

/* Adds s (its first 15 chars); returns false when it was already there. */
bool dg_ctlset_add(dg_ctlset *cs, const char *s);
/* Forgets every number, keeps the memory. */
void dg_ctlset_clear(dg_ctlset *cs);
void dg_ctlset_free(dg_ctlset *cs);
/* Bytes the set holds (its run array and hash table), for the memory tests. */
size_t dg_ctlset_bytes(const dg_ctlset *cs);

#endif
