/* X12 validation: one transaction set against its edi/ definition (segment order, loops, usage,
 * max use, element types/lengths/codes, syntax rules, 856 HL parents) with 997 AK3/AK4 codes,
 * and a whole-file check that joins those with the reader's envelope problems (TA1/AK9/AK5)
 * into a per-interchange / per-group / per-set result used by `validate` and by the 997. */
#ifndef DG_X12_VALIDATE_H
#define DG_X12_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "x12/defs.h"
#include "x12/x12.h"

/* Receives each problem; a nonzero return stops the validation and is passed back. */
typedef int (*dg_x12_problem_fn)(void *ctx, const dg_x12_problem *p);

/* Validates one set (as handed over by the reader's on_set). Segment problems (AK304 codes
 * 1-8) are reported as DG_X12_LEVEL_SEGMENT; a segment with element errors is reported with
 * code 8 followed by its DG_X12_LEVEL_ELEMENT problems (AK403 codes). A set id without a
 * definition for its version gives one warning (level SET, code "1") and no other check.
 * Returns the number of errors (warnings not counted), or what cb returned when it stopped. */
int dg_x12_validate_set(const dg_x12_defs *defs, const dg_x12_set *set, dg_x12_problem_fn cb,
                        void *ctx);

/* Test hook for this thread (default true): false checks every element with the general checks,
 * never with the compiled ones (dg_x12_seg_def.flat), looks every HL up in the HL table (not by
 * its number), and keeps nothing from one set to the next (rule outcomes, definition lookups),
 * so that a test can compare the two ways. */
void dg_x12_debug_set_flat_checks(bool on);
/* Test hook for this thread: how many placing states (validate.c pst) the validator keeps
 * before it starts over, 2..256 (another value: 256, the default), so that a test can make it
 * start over often. */
void dg_x12_debug_set_placing_states(unsigned n);
/* Test hook: the length masks of the compiled checks' vector pass (vector true; SSE2 where the
 * build has it) or of its plain loop: bit p (1..last) of *have when lens[p] is not 0, of the
 * result when lo[p - 1] <= lens[p] <= hi[p - 1]. lens, lo and hi are read up to a multiple of 4
 * past last (last < 64). */
uint64_t dg_x12_debug_flat_bounds(bool vector, const int32_t *lo, const int32_t *hi,
                                  const uint32_t *lens, int last, uint64_t *have);

/* ---- whole files ----------------------------------------------------------------------- */

typedef struct dg_x12_set_result {
    char id[4], control[10], impl_ref[36];
    char status;      /* AK501: 'A' accepted, 'R' rejected */
    char codes[5][4]; /* AK502..AK506 */
    int n_codes;
    size_t first_problem; /* its segment/element problems: file problems[first .. first+n) */
    size_t n_problems;
    long left_out; /* segment errors past the per-set cap: counted, not kept (nor in the 997) */
    bool defined;  /* a definition was found (else envelope-checked only) */
} dg_x12_set_result;

typedef struct dg_x12_group_result {
    dg_x12_isa isa; /* its interchange header */
    dg_x12_gs gs;
    size_t interchange;      /* index into dg_x12_file_result.interchanges */
    dg_x12_set_result *sets; /* every set (only the rejected ones with summary_only) */
    size_t n_sets, cap_sets;
    long included; /* GE01, -1 when GE is missing */
    long received, accepted;
    char status;      /* AK901: 'A', 'P' partially accepted, 'R' rejected */
    char codes[5][4]; /* AK905..AK909, in this group's version (edi/<version>/ack.yaml) */
    int n_codes;
    bool complete;
    bool envelope_error;  /* a GS/GE error, also one this version has no AK905 code for */
    bool supported;       /* GS08 not older than every edi/ version */
    long ack_sets;        /* 997/999 sets in it */
    char ack_version[13]; /* GS08 for its acknowledgment: the received one, or the lowest
                             edi/ version when that one is not supported */
} dg_x12_group_result;

typedef struct dg_x12_interchange_result {
    dg_x12_isa isa;
    char ta1_code[4]; /* first interchange error (TA105), "000" when none */
    bool rejected;
    long groups;
    bool has_ta1; /* it carries a TA1 (an acknowledgment itself) */
} dg_x12_interchange_result;

typedef struct dg_x12_file_result {
    char *path;
    bool not_x12; /* no ISA at all (or no readable ST..SE): rejected */
    char not_x12_msg[256];
    dg_x12_interchange_result *interchanges;
    size_t n_interchanges, cap_interchanges;
    dg_x12_group_result *groups;
    size_t n_groups, cap_groups;
    dg_x12_problem *problems; /* every problem in the order found */
    size_t n_problems, cap_problems;
    size_t n_errors, n_warnings;
    long n_sets, n_sets_accepted;
    long interchanges_read, groups_read; /* all read (summary_only keeps fewer, see below) */
    long n_left_out;                     /* segment errors past the per-set caps */
    bool rejected;                       /* any interchange, group or set rejected */
} dg_x12_file_result;

/* Reads and checks a whole file (or a buffer; name is used in messages). Returns 0 when the
 * file was read, whatever it holds (see ->rejected), DG_EIO when it cannot be read. */
int dg_x12_check_file(const dg_x12_defs *defs, const char *path, dg_x12_file_result **out,
                      dg_error *err);
int dg_x12_check_mem(const dg_x12_defs *defs, const char *data, size_t len, const char *name,
                     dg_x12_file_result **out, dg_error *err);
void dg_x12_file_result_free(dg_x12_file_result *r);

/* For files of any size: summary_only keeps counts and the rejected interchanges, groups and
 * sets only (an accepted one is dropped when its interchange ends), not the problem list: memory
 * follows the rejected items, not the file. on_problem sees each problem as it is found either
 * way. A set keeps (and reports) at most max_segment_errors segment errors (AK3 with their AK4s;
 * 0: DG_X12_MAX_SEGMENT_ERRORS, negative: no cap); the rest are counted in its left_out and
 * announced by one warning (level SET, code "") when the set ends. */
#define DG_X12_MAX_SEGMENT_ERRORS 100
typedef struct dg_x12_check_opts {
    bool summary_only;
    void (*on_problem)(void *ctx, const char *path, const dg_x12_problem *p);
    void *ctx;
    int max_segment_errors;
} dg_x12_check_opts;
int dg_x12_check_file_opts(const dg_x12_defs *defs, const char *path, const dg_x12_check_opts *opts,
                           dg_x12_file_result **out, dg_error *err);
int dg_x12_check_mem_opts(const dg_x12_defs *defs, const char *data, size_t len, const char *name,
                          const dg_x12_check_opts *opts, dg_x12_file_result **out, dg_error *err);

/* True when the file holds only acknowledgments (997/999 groups, TA1s): nothing to acknowledge,
 * since acknowledgments are never acknowledged. Needs a full check (not summary_only, which
 * drops accepted groups). */
bool dg_x12_ack_only(const dg_x12_file_result *r);

/* Short texts for codes, for messages: AK304 segment codes, AK403 element codes, AK502
 * set codes, AK905 group codes and TA105 interchange codes. */
const char *dg_x12_code_text(dg_x12_level level, const char *code);

#endif
