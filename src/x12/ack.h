/* 997 functional and 999 implementation acknowledgments: building one for a received file (AK1,
 * AK2/AK3/AK4/AK5 or AK2/IK3/IK4/IK5 per set, AK9 per group, enveloped back to the sender with
 * the caller's control numbers), TA1s (also 025 for a duplicate interchange), and reading a
 * received 997 or 999 to learn which sent sets were accepted or rejected. */
#ifndef DG_X12_ACK_H
#define DG_X12_ACK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "x12/defs.h"
#include "x12/validate.h"
#include "x12/x12.h"

typedef enum {
    DG_X12_ACK_997 = 0, /* functional acknowledgment, in the received group's version */
    DG_X12_ACK_999,     /* implementation acknowledgment (005010X231A1), for 005010 partners */
} dg_x12_ack_kind;

/* Envelope of the 997/999. NULL / 0 fields take the default named. */
typedef struct dg_x12_ack_opts {
    dg_x12_ack_kind kind;
    const char *isa_control; /* ISA13 (digits); required. The k-th interchange written (one
                                per received interchange with groups) uses isa_control + k */
    const char *gs_control;  /* GS06 of the first 997 group; NULL: isa_control without zeros;
                                later groups count up */
    const char *st_control;  /* ST02 of the first 997; NULL: "0001"; later sets count up */
    const char *sender_qual, *sender_id; /* ISA05/06 (and GS02 = sender_id); NULL: the
                                            received ISA07/08 and GS03 */
    const char *receiver_qual,
        *receiver_id;    /* ISA07/08 (and GS03); NULL: received ISA05/06, GS02 */
    const char *date;    /* CCYYMMDD; NULL: today (UTC) */
    const char *time;    /* HHMM; NULL: now (UTC) */
    const char *version; /* GS08 of the ack group; NULL: for a 997 the acknowledged group's
                            GS08 as received (004010, 004010VICS ...; the lowest edi/ version
                            when that one is not supported), for a 999 005010X231A1 */
    char usage;          /* ISA15 'P' / 'T'; 0: as received */
    bool have_delims;    /* false: * : ^ ~ */
    dg_x12_delims delims;
    bool newline; /* a line break after each segment */
    bool no_ta1;  /* never write a TA1 (by default one answers each received interchange that
                     was rejected or asked for one in ISA14) */
    /* ISA13s of received interchanges the caller found to be duplicates (the gateway keeps the
     * history): such an interchange gets no 997/999 group (it is not processed again) and, when
     * it asked for a TA1 in ISA14, a TA1 R with note code 025 */
    const char *const *duplicate_isa;
    size_t n_duplicate_isa;
} dg_x12_ack_opts;

/* Writes the 997 (or 999, o->kind) for every group of a checked file into out (appended): one
 * interchange per received interchange, holding a TA1 (received ISA13/date/time, A or R, the
 * TA105 note code) when that interchange was rejected or asked for one, and the FA group.
 * Sets outside any group cannot be acknowledged and are skipped; so are acknowledgments (FA
 * groups of 997/999, interchanges holding only TA1s): they are never acknowledged. A set with
 * more segment errors than the check kept (dg_x12_set_result.left_out) is detailed up to that
 * cap; its AK5/IK5 still says R. Returns 0, DG_EVALID when there is nothing to acknowledge
 * (no group, no TA1 due, or only acknowledgments: see dg_x12_ack_only), or DG_EINVAL for bad
 * options. */
int dg_x12_ack_build(const dg_x12_file_result *res, const dg_x12_ack_opts *o, dg_buf *out,
                     long *n_interchanges, dg_error *err);
/* Checks path against defs and builds its 997 (res_out, when not NULL, receives the check
 * result for the caller to free with dg_x12_file_result_free). */
int dg_x12_ack_build_file(const dg_x12_defs *defs, const char *path, const dg_x12_ack_opts *o,
                          dg_buf *out, dg_x12_file_result **res_out, dg_error *err);

/* A lone TA1 answering one received interchange header: ISA (sender and receiver swapped as in
 * dg_x12_ack_build, control o->isa_control), TA1 with received ISA13/date/time, ack_code 'A' /
 * 'R' and note (TA105, e.g. "025" duplicate interchange control number), IEA. */
int dg_x12_ta1_build(const dg_x12_isa *received, char ack_code, const char *note,
                     const dg_x12_ack_opts *o, dg_buf *out, dg_error *err);

/* ---- reading a received 997 or 999 ----------------------------------------------------- */

typedef struct dg_x12_ack_set_status {
    char functional_id[3];  /* AK101 */
    char group_control[10]; /* AK102: GS06 of the acknowledged group */
    char set_id[4];         /* AK201 */
    char set_control[10];   /* AK202 */
    char status;            /* AK501: A accepted, E accepted with errors, R rejected, M/W/X */
    char codes[5][4];       /* AK502.. (IK502.. in a 999) */
    int n_codes;
    int n_segment_notes; /* AK3 (IK3) count */
    char detail[200];    /* the first AK3/AK4 in words, "" when none */
} dg_x12_ack_set_status;

typedef struct dg_x12_ack_group_status {
    char functional_id[3], group_control[10];
    char status; /* AK901: A, E, P partially accepted, R rejected */
    long included, received, accepted;
    char codes[5][4]; /* AK905.. */
    int n_codes;
    char ack_isa_control[10], ack_gs_control[10], ack_st_control[10]; /* the 997 itself */
    char ack_sender[16], ack_receiver[16];                            /* its ISA06 / ISA08 */
    char ack_set_id[4]; /* "997" or "999": which acknowledgment said it */
} dg_x12_ack_group_status;

typedef struct dg_x12_ack_report {
    dg_x12_ack_group_status *groups;
    size_t n_groups, cap_groups;
    dg_x12_ack_set_status *sets;
    size_t n_sets, cap_sets;
    long n_997;           /* 997 sets read */
    long n_999;           /* 999 sets read (read the same way: IK3/IK4/IK5 as AK3/AK4/AK5) */
    long n_other;         /* other sets in the file (ignored) */
    bool envelope_errors; /* the 997 file itself had envelope problems */
} dg_x12_ack_report;

/* Reads every 997 and 999 in a file (or buffer). Returns 0, DG_EIO, or DG_EPARSE when it is not
 * X12. */
int dg_x12_ack_parse_file(const char *path, dg_x12_ack_report **out, dg_error *err);
int dg_x12_ack_parse_mem(const char *data, size_t len, const char *name, dg_x12_ack_report **out,
                         dg_error *err);
void dg_x12_ack_report_free(dg_x12_ack_report *r);

/* Outcome of one sent set: 'A' accepted (also when its group was accepted without listing the
 * set), 'E' accepted with errors noted, 'R' rejected, 'P' group partially accepted and the set
 * not listed, 0 when the report does not mention its group. */
char dg_x12_ack_outcome(const dg_x12_ack_report *r, const char *group_control,
                        const char *set_control);

#endif
