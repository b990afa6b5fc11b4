/* X12 reading and writing: delimiters from the ISA itself, envelope checks (ISA/IEA, GS/GE,
 * ST/SE) reported with their TA1 / AK9 / AK5 codes, and transaction sets handed over one at a
 * time, so memory grows with the largest set and never with the file. */
#ifndef DG_X12_X12_H
#define DG_X12_X12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct dg_x12_delims {
    char elem; /* ISA byte 4 */
    char comp; /* ISA16 */
    char rep;  /* ISA11 for 00402 and later, else 0 (none) */
    char seg;  /* the byte after ISA16 */
} dg_x12_delims;

/* One segment. el[0] is the segment id; el[1..n_el] the elements as NUL-terminated text (still
 * holding component and repetition separators); trailing empty elements are kept as read. */
typedef struct dg_x12_seg {
    const char *const *el;
    const uint32_t *el_len;
    int n_el;
    long file_seg; /* 1-based segment number in the file (for messages) */
    long set_seg;  /* 1-based position in its transaction set (ST = 1); 0 outside a set */
} dg_x12_seg;

/* The interchange header, each field NUL-terminated with its padding trimmed. */
typedef struct dg_x12_isa {
    char auth_qual[3], auth[11], sec_qual[3], sec[11];
    char sender_qual[3], sender_id[16], receiver_qual[3], receiver_id[16];
    char date[7], time[5], isa11[2], version[6], control[10], ack_requested[2], usage[2];
    dg_x12_delims delims;
    long file_seg;
} dg_x12_isa;

typedef struct dg_x12_gs {
    char functional_id[3], sender[16], receiver[16], date[9], time[9], control[10], agency[3];
    char version[13];
    long file_seg;
} dg_x12_gs;

/* A transaction set, ST through SE, valid only during the on_set callback. */
typedef struct dg_x12_set {
    const dg_x12_isa *isa;
    const dg_x12_gs *gs; /* NULL when the set sits outside any group (an envelope error) */
    char id[4];          /* ST01 */
    char control[10];    /* ST02 */
    char impl_ref[36];   /* ST03 (005010), "" when absent */
    const dg_x12_seg *segs;
    size_t n_segs;     /* ST..SE inclusive (SE missing when the set was cut short) */
    bool complete;     /* false: no SE before GE/IEA/end of file */
    int envelope_code; /* AK5 code of an ST/SE problem (2, 3, 4, 5, 6, 7, 23), 0 when none */
    /* per segment, what the reader's pass over its bytes found (x12/scan.h DG_X12_SCAN_*, 0: not
     * known), so the validator need not rescan; NULL for sets not from the reader */
    const unsigned char *seg_scan;
    /* at least 8 bytes after each value may be read (the reader's buffers keep 16 spare), and
     * each segment's el_len[] 3 entries past its last element (whatever they hold) */
    bool padded;
} dg_x12_set;

typedef enum {
    DG_X12_LEVEL_INTERCHANGE = 1, /* code: TA1 I18 note code, "001".."031" */
    DG_X12_LEVEL_GROUP,           /* code: AK9/AK905 functional group code, "1".."6", "19".. */
    DG_X12_LEVEL_SET,             /* code: AK5/AK502 transaction set code */
    DG_X12_LEVEL_SEGMENT,         /* code: AK3/AK304 segment code */
    DG_X12_LEVEL_ELEMENT,         /* code: AK4/AK403 element code */
} dg_x12_level;

/* One problem, named the way a partner engineer looks for it. */
typedef struct dg_x12_problem {
    dg_x12_level level;
    char code[4];
    bool warning; /* lenient reading (e.g. a padded-wrong ISA): reported, not rejected */
    char isa_control[10], gs_control[10], st_control[10], set_id[4];
    long file_seg; /* segment number in the file, 0 when not tied to one */
    long set_seg;  /* position in the set (AK302), 0 when none */
    char seg_id[4];
    char loop_id[7];     /* AK303, "" when none */
    int elem;            /* AK401 position, 0 when none */
    int comp;            /* component position, 0 when none */
    char elem_ref[5];    /* AK402 data element reference number, "" when unknown */
    char bad_value[100]; /* AK404 copy of the bad data, "" when none */
    char msg[256];
} dg_x12_problem;

/* Counts and outcome of one group when its GE is read (or when it is cut short). */
typedef struct dg_x12_group_end {
    const dg_x12_isa *isa;
    const dg_x12_gs *gs;
    long sets_seen;
    long ge01; /* -1 when GE is missing */
    char ge02[10];
    bool complete;
} dg_x12_group_end;

typedef struct dg_x12_interchange_end {
    const dg_x12_isa *isa;
    long groups_seen;
    long iea01; /* -1 when IEA is missing */
    char iea02[10];
    bool complete;
} dg_x12_interchange_end;

/* Each callback may be NULL; a nonzero return stops parsing and is returned by dg_x12_parse_*.
 * Envelope problems go to on_problem as they are found (counts at GE/IEA, ST/SE at SE). */
typedef struct dg_x12_callbacks {
    int (*on_isa)(void *ctx, const dg_x12_isa *isa);
    int (*on_gs)(void *ctx, const dg_x12_isa *isa, const dg_x12_gs *gs);
    int (*on_set)(void *ctx, const dg_x12_set *set);
    int (*on_ge)(void *ctx, const dg_x12_group_end *ge);
    int (*on_iea)(void *ctx, const dg_x12_interchange_end *iea);
    int (*on_ta1)(void *ctx, const dg_x12_isa *isa, const dg_x12_seg *ta1); /* a received TA1 */
    int (*on_problem)(void *ctx, const dg_x12_problem *p);
} dg_x12_callbacks;

/* Streams a file / FILE* / buffer through the callbacks. Several interchanges per file, groups
 * per interchange and sets per group. Returns 0 when the whole input was read (envelope problems
 * are reported, not returned), DG_EIO on read errors, DG_EPARSE when the input is not X12 at
 * all (no ISA, ISA shorter than 106 bytes), or what a callback returned. */
int dg_x12_parse_file(const char *path, const dg_x12_callbacks *cb, void *ctx, dg_error *err);
int dg_x12_parse_stream(FILE *f, const char *name, const dg_x12_callbacks *cb, void *ctx,
                        dg_error *err);
int dg_x12_parse_mem(const char *data, size_t len, const char *name, const dg_x12_callbacks *cb,
                     void *ctx, dg_error *err);

/* Element el (1-based) of s; component comp (1-based, 0 = the whole element) of repetition rep
 * (0-based; 0 when d->rep is 0). Returns a pointer into the segment and its length, or "" / 0
 * when absent. The result is NUL-terminated only when comp is 0 and the element has no
 * repetitions. */
const char *dg_x12_get(const dg_x12_seg *s, const dg_x12_delims *d, int el, int comp, int rep,
                       size_t *len);
/* Test hook: the largest capacity (bytes) the set buffer reached during this thread's latest
 * dg_x12_parse_* call, to show that memory follows the largest set and not the file. */
size_t dg_x12_debug_peak_set_bytes(void);
/* Test hook: the bytes the control-number sets (ST02, GS06, ISA13) held at the end of this
 * thread's latest dg_x12_parse_* call, to show that they stay flat with counters. */
size_t dg_x12_debug_peak_ctl_bytes(void);
/* Reader limits for this thread (0 = default): bytes per transaction set (64 MiB, at most 1 GiB;
 * a set may also hold at most bytes/6 elements and bytes/24 segments) and elements per segment
 * (1000). A set over a limit is handed over as ST + SE only, with envelope_code 5 and an AK5 5
 * problem naming the limit; reading goes on with the next segment after it. */
void dg_x12_debug_set_limits(size_t set_bytes, size_t seg_elements);
/* Test hook for this thread (0, false = default): the read buffer's size (at least 1 KiB;
 * default 256 KiB), and copy_mode to copy every set into its own buffer instead of reading
 * it in place, so that a test can compare the two ways on the same input. */
void dg_x12_debug_set_read_buffer(size_t bytes, bool copy_mode);
/* Test hook for this thread (default true): false reads every segment in place the plain way
 * (memchr, then a scan of the segment) instead of from the read buffer's classified 64-byte
 * blocks, so that a test can compare the two. */
void dg_x12_debug_set_block_reading(bool on);
/* Test hook for this thread (default true): false splits the segments of a set's body with the
 * block loop alone, also where the CPU has BMI1, BMI2 and POPCNT (there the window path splits
 * those that end within 64 bytes), so that a test can compare the two. */
void dg_x12_debug_set_split_windows(bool on);

/* Segment id as text ("" when none). */
static inline const char *dg_x12_seg_id(const dg_x12_seg *s)
{
    return s->n_el >= 0 ? s->el[0] : "";
}

/* ---- writing ----------------------------------------------------------------------------- */

/* Builds interchanges into a buffer with chosen delimiters: SE01, GE01 and IEA01 are counted,
 * SE02/GE02/IEA02 repeat the header's control numbers. Elements are given as text; a component
 * or repetition inside an element uses the writer's own delimiters. Elements holding a delimiter
 * character (outside their component/repetition use) are refused with DG_EINVAL. */
typedef struct dg_x12_writer dg_x12_writer;

dg_x12_writer *dg_x12_writer_new(dg_buf *out, dg_x12_delims d, bool newline_after_segment);
void dg_x12_writer_free(dg_x12_writer *w);
/* ISA from isa (fields padded to their fixed widths; isa->delims ignored: the writer's are used;
 * ISA11 is the repetition separator when version >= 00402). */
int dg_x12_write_isa(dg_x12_writer *w, const dg_x12_isa *isa, dg_error *err);
int dg_x12_write_gs(dg_x12_writer *w, const dg_x12_gs *gs, dg_error *err);
/* ST; impl_ref may be NULL. */
int dg_x12_write_st(dg_x12_writer *w, const char *set_id, const char *control, const char *impl_ref,
                    dg_error *err);
/* Any segment inside a set (or TA1 between ISA and GS); n elements after the id; trailing empty
 * elements are dropped. */
int dg_x12_write_seg(dg_x12_writer *w, const char *id, const char *const *elems, int n,
                     dg_error *err);
/* Re-writes a parsed segment with this writer's delimiters (components/repetitions translated). */
int dg_x12_write_parsed(dg_x12_writer *w, const dg_x12_seg *s, const dg_x12_delims *from,
                        dg_error *err);
int dg_x12_write_se(dg_x12_writer *w, dg_error *err);
int dg_x12_write_ge(dg_x12_writer *w, dg_error *err);
int dg_x12_write_iea(dg_x12_writer *w, dg_error *err);

/* Default delimiters for what we send: * : ^ ~ (repetition only used for 00402+). */
dg_x12_delims dg_x12_default_delims(void);

#endif
