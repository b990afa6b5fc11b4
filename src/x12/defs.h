/* X12 transaction-set definitions loaded from edi/ (YAML data, see edi/README.md): element
 * dictionary, segments with their syntax rules, code lists and per-set loop structure, one
 * resolved table per version (a version may inherit another and override what differs). */
#ifndef DG_X12_DEFS_H
#define DG_X12_DEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"

typedef enum {
    DG_X12_AN = 1, /* string */
    DG_X12_ID,     /* identifier, checked against a code list when one is defined */
    DG_X12_N,      /* integer with implied decimals (N0..N9): digits and a leading '-' */
    DG_X12_R,      /* decimal number */
    DG_X12_DT,     /* date CCYYMMDD (or YYMMDD when min is 6) */
    DG_X12_TM,     /* time HHMM[SS[d..]] */
    DG_X12_B,      /* binary: not checked */
} dg_x12_type;

typedef struct dg_x12_elem_def {
    char ref[6]; /* data element reference number ("353"), AK402 */
    dg_x12_type type;
    int decimals; /* N0..N9 */
    int min, max;
    const char *name;
    const char *const *codes; /* sorted allowed values, NULL when the list is not defined */
    size_t n_codes;
    bool codes_open;        /* known codes only: another value is a warning, not an error */
    const uint64_t *packed; /* the codes packed 8 bytes big-endian, sorted; NULL when a code
                               is longer than 8 */
    const uint64_t *hash;   /* the packed codes in an open-addressing table (0 = empty) */
    size_t hash_mask;
} dg_x12_elem_def;

/* One element position in a segment, or one component in a composite. */
typedef struct dg_x12_elem_use {
    char usage;                         /* 'M' mandatory, 'O' optional, 'X' relational */
    const dg_x12_elem_def *elem;        /* simple element, or NULL */
    const struct dg_x12_comp_def *comp; /* composite, or NULL */
} dg_x12_elem_use;

/* X12 syntax note: P paired, R required (one of), E exclusion, C conditional, L list
 * conditional; pos are 1-based element positions ("P0304" -> kind 'P', pos {3,4}). */
typedef struct dg_x12_rule {
    char kind;
    int n;
    int pos[8];
    uint64_t mask; /* bit p set for each position p < 64 */
    char text[20];
} dg_x12_rule;

typedef struct dg_x12_comp_def {
    char ref[6]; /* "C001" */
    const char *name;
    const dg_x12_elem_use *comps;
    int n_comps;
    const dg_x12_rule *rules;
    int n_rules;
    uint64_t mandatory;       /* bit p: component p is mandatory */
    const uint64_t *rules_at; /* as in dg_x12_seg_def */
    uint64_t rules_r;
} dg_x12_comp_def;

/* One element position's checks, compiled for the validator's usual path (validate.c
 * flat_ok): what a value there must look like to be accepted without the general checks. Only a
 * yes is trusted; any other value goes through the general checks, which report it. */
typedef enum {
    DG_X12_FLAT_GENERAL =
        0,            /* a composite, or codes the hash table does not hold: always general */
    DG_X12_FLAT_TEXT, /* AN, or ID without a code list: min..max characters */
    DG_X12_FLAT_CODE, /* ID with a code list: min..max characters, one of the codes */
    DG_X12_FLAT_INT,  /* N: [-]digits, min..max digits */
    DG_X12_FLAT_DEC,  /* R: [-]digits with at most one '.', min..max digits */
    DG_X12_FLAT_DATE, /* DT */
    DG_X12_FLAT_TIME, /* TM */
    DG_X12_FLAT_ANY,  /* B: not checked */
} dg_x12_flat_kind;

typedef struct dg_x12_flat {
    uint8_t kind; /* dg_x12_flat_kind */
    uint32_t min, max;
    uint32_t hash_mask;
    const uint64_t *hash; /* DG_X12_FLAT_CODE: the element's hash table */
} dg_x12_flat;

typedef struct dg_x12_seg_def {
    char id[4];
    uint32_t key; /* id packed by dg_x12_seg_key, for fast matching */
    const char *name;
    const dg_x12_elem_use *elems;
    int n_elems; /* -1: known id, element content not checked */
    const dg_x12_rule *rules;
    int n_rules;
    uint64_t mandatory;       /* bit p: element p is mandatory */
    const uint64_t *rules_at; /* [64]: bit r set when rule r names position p; NULL when the
                                 segment has more than 64 rules */
    uint64_t rules_r;         /* the R (at least one required) rules, checked always */
    const dg_x12_flat *flat;  /* [n_elems]: each position's compiled checks */
    /* The same checks by position for the validator's vector pass (validate.c flat_pass): the
     * value at position p must have flat_lo[p - 1] <= length <= flat_hi[p - 1] (a composite
     * or a general position: never); then a position whose bit p is set in one of the masks
     * below also has its kind's test (else the length decides). Arrays padded with "never" to
     * a multiple of 4 entries. */
    const int32_t *flat_lo, *flat_hi;
    uint64_t flat_code, flat_num, flat_date, flat_time;
} dg_x12_seg_def;

/* A segment entry or a loop in a set's structure. For a loop, body[0] is its first
 * (trigger) segment and loop_id is non-empty (AK303). */
typedef struct dg_x12_node {
    uint32_t key;              /* seg->key, kept here for the matching loop */
    const dg_x12_seg_def *seg; /* the segment, or the loop's trigger segment */
    char loop_id[7];
    char usage; /* 'M' or 'O' */
    long max;   /* max use / loop repeat; 0 = unbounded (">1") */
    const struct dg_x12_node *body;
    size_t n_body;
    uint64_t mandatory;   /* bit q: body[q] is mandatory (all bits when n_body > 64) */
    uint64_t bloom[4];    /* dg_x12_key_bit of each body entry after a loop's first */
    const uint32_t *keys; /* body[q].key for q < n_body, packed for the matching loop */
} dg_x12_node;

/* 856-style HL level rule: level code (HL03) and the codes its parent (HL02) may have;
 * "" in parents means the level may stand without a parent. */
typedef struct dg_x12_hl_level {
    char code[3];
    const char *const *parents;
    size_t n_parents;
} dg_x12_hl_level;

typedef struct dg_x12_set_def {
    char id[4];
    const char *name;
    char group[3];       /* functional identifier code (GS01) normally used */
    const char *version; /* the version that resolved it */
    dg_x12_node root;    /* a pseudo-loop whose body is ST .. SE */
    const dg_x12_hl_level *hl_levels;
    size_t n_hl_levels;
} dg_x12_set_def;

typedef struct dg_x12_defs dg_x12_defs;
typedef struct dg_x12_version dg_x12_version;

/* Loads every version folder under edi_dir (edi/004010, edi/005010, ...). Errors name the
 * definition file and line. */
int dg_x12_defs_load(const char *edi_dir, dg_x12_defs **out, dg_error *err);
void dg_x12_defs_free(dg_x12_defs *d);
/* A number no other load in this process gets (1, 2, ...): what a cache of results that depend
 * only on the definitions is keyed by (a freed set's address may come back). */
uint64_t dg_x12_defs_serial(const dg_x12_defs *d);

/* The definitions for a GS08 version ("004010VICS" -> 004010): exact match on the first six
 * characters, else the highest defined version below it, else the lowest defined; the one
 * marked `default: true` when gs08 is empty or not a version. NULL only when none is loaded. */
const dg_x12_version *dg_x12_defs_version(const dg_x12_defs *d, const char *gs08);
const char *dg_x12_version_name(const dg_x12_version *v);
/* False when gs08 names a version older than every folder in edi/ (a 003050 group when the
 * lowest is 003060): such groups are reported as not supported, never checked against a newer
 * version's structures. True for an empty or non-numeric gs08 (the default version applies). */
bool dg_x12_defs_supported(const dg_x12_defs *d, const char *gs08);
/* How this version's acknowledgment writes a checker code (the 005010 codes) of kind "AK905",
 * "AK502", "AK304", "AK403" or "TA105": the version's ack_codes entry, else code itself. ""
 * means the version has no code for it (the segment/group is still rejected). */
const char *dg_x12_version_ack_code(const dg_x12_version *v, const char *kind, const char *code);
/* Same major release as the defined one and 005010 or later: delimiter misuse is reported with
 * the 5010 AK403 codes 12/13 rather than 6. */
bool dg_x12_version_is_5010(const dg_x12_version *v);
const dg_x12_set_def *dg_x12_version_set(const dg_x12_version *v, const char *set_id);
const dg_x12_seg_def *dg_x12_version_seg(const dg_x12_version *v, const char *seg_id);
const dg_x12_elem_def *dg_x12_version_elem(const dg_x12_version *v, const char *ref);
/* Shortcut: dg_x12_version_set(dg_x12_defs_version(d, gs08), set_id). */
const dg_x12_set_def *dg_x12_defs_set(const dg_x12_defs *d, const char *gs08, const char *set_id);

/* A segment id (up to 3 characters) packed into an integer; 0 for an empty or longer id. */
static inline uint32_t dg_x12_seg_key(const char *id)
{
    uint32_t k = 0;
    for (int i = 0; i < 4; i++) {
        if (!id[i])
            return k;
        if (i == 3)
            return 0;
        k = k << 8 | (unsigned char)id[i];
    }
    return k;
}

/* The bit (0..255) a segment key sets in a loop's bloom filter. */
static inline unsigned dg_x12_key_bit(uint32_t key)
{
    return (unsigned)((key * 2654435761u) >> 24);
}

/* True when value is in the element's code list (or the element has none). */
bool dg_x12_elem_code_ok(const dg_x12_elem_def *e, const char *value, size_t len);

/* Helpers of the inline code lookup below (and of the loader that fills the tables). */
static inline uint64_t dg_x12_pack8(const char *s, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        k |= (uint64_t)(unsigned char)s[i] << (56 - 8 * i);
    return k;
}

static inline uint64_t dg_x12_mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* dg_x12_pack8 of 1..8 bytes when 8 may be read: one load instead of a loop */
static inline uint64_t dg_x12_pack8_padded(const char *s, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, s, 8);
    return __builtin_bswap64(w) & (~0ULL << (64 - 8 * n));
#else
    return dg_x12_pack8(s, n);
#endif
}

/* dg_x12_elem_code_ok for the validator's inner loop; padded: 8 bytes at value may be read. */
static inline bool dg_x12_code_fast(const dg_x12_elem_def *e, const char *value, size_t len,
                                    bool padded)
{
    if (!e->hash)
        return dg_x12_elem_code_ok(e, value, len);
    if (len > 8 || !len)
        return false;
    uint64_t k = padded ? dg_x12_pack8_padded(value, len) : dg_x12_pack8(value, len);
    for (size_t j = (size_t)dg_x12_mix64(k) & e->hash_mask;; j = (j + 1) & e->hash_mask) {
        if (e->hash[j] == k)
            return true;
        if (!e->hash[j])
            return false;
    }
}

/* Finds the edi/ folder: $DG_EDI_DIR, else ../edi or ../../edi (and ../share/dropgate/edi)
 * beside the executable (argv0 or /proc/self/exe), else ./edi. Fills buf and returns it, or
 * returns NULL when none of them exists. */
const char *dg_x12_find_edi_dir(const char *argv0, char *buf, size_t size);

#endif
