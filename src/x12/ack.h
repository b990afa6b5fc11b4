/* 997 functional acknowledgments: building one for a received file (AK1, AK2/AK3/AK4/AK5 per
 * set, AK9 per group, enveloped back to the sender with the caller's control numbers) and
 * reading a received 997 to learn which sent sets were accepted or rejected. */
#ifndef DG_X12_ACK_H
#define DG_X12_ACK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "x12/defs.h"
#include "x12/validate.h"
#include "x12/x12.h"

/* Envelope of the 997. NULL / 0 fields take the default named. */
typedef struct dg_x12_ack_opts {
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
    const char *version; /* GS08 of the 997 group; NULL: the first six characters of the
                            acknowledged group's GS08 (004010, 005010 ...) */
    char usage;          /* ISA15 'P' / 'T'; 0: as received */
    bool have_delims;    /* false: * : ^ ~ */
    dg_x12_delims delims;
    bool newline; /* a line break after each segment */
    bool no_ta1;  /* never write a TA1 (by default one answers each received interchange that
                     was rejected or asked for one in ISA14) */
} dg_x12_ack_opts;

/* Writes the 997 for every group of a checked file into out (appended): one interchange per
 * received interchange, holding a TA1 (received ISA13/date/time, A or R, the TA105 note code)
 * when that interchange was rejected or asked for one, and the FA group. Sets outside any group
 * cannot be acknowledged by a 997 and are skipped. Returns 0, DG_EVALID when there is nothing
 * to acknowledge (no group, no TA1 due), or DG_EINVAL for bad options. */
int dg_x12_ack_build(const dg_x12_file_result *res, const dg_x12_ack_opts *o, dg_buf *out,
                     long *n_interchanges, dg_error *err);
/* Checks path against defs and builds its 997 (res_out, when not NULL, receives the check
 * result for the caller to free with dg_x12_file_result_free). */
int dg_x12_ack_build_file(const dg_x12_defs *defs, const char *path, const dg_x12_ack_opts *o,
                          dg_buf *out, dg_x12_file_result **res_out, dg_error *err);

/* ---- reading a received 997 ------------------------------------------------------------ */

typedef struct dg_x12_ack_set_status {
    char functional_id[3];  /* AK101 */
    char group_control[10]; /* AK102: GS06 of the acknowledged group */
    char set_id[4];         /* AK201 */
    char set_control[10];   /* AK202 */
    char status;            /* AK501: A accepted, E accepted with errors, R rejected, M/W/X */
    char codes[5][4];       /* AK502.. */
    int n_codes;
    int n_segment_notes; /* AK3 count */
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
} dg_x12_ack_group_status;

typedef struct dg_x12_ack_report {
    dg_x12_ack_group_status *groups;
    size_t n_groups, cap_groups;
    dg_x12_ack_set_status *sets;
    size_t n_sets, cap_sets;
    long n_997;           /* 997 sets read */
    long n_other;         /* other sets in the file (ignored) */
    bool envelope_errors; /* the 997 file itself had envelope problems */
} dg_x12_ack_report;

/* Reads every 997 in a file (or buffer). Returns 0, DG_EIO, or DG_EPARSE when it is not X12. */
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
