/* Set-level X12 validation: walks a transaction set through its loop structure (greedy, forward
 * only, the way the standard's segment tables read) and checks every element against the
 * dictionary, reporting AK3/AK4 codes named the way a partner engineer looks for them. */
#include "x12/validate.h"

#include "x12/scan.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 32
#define MAX_ELEM_PROBLEMS 16
#define HL_SMALL 64

typedef struct {
    const dg_x12_node *loop;
    size_t pos; /* current entry in loop->body */
    long count; /* uses of that entry (iterations when it is a loop) */
} frame;

typedef struct {
    char id[13];
    char level[3];
} hl_entry;

typedef struct {
    const dg_x12_defs *defs;
    const dg_x12_version *ver;
    const dg_x12_set *set;
    const dg_x12_set_def *def;
    dg_x12_delims d;
    bool v5010;
    bool flat; /* the reader's set (scan bits, padded): compiled checks for the usual segment */
    dg_x12_problem_fn cb;
    void *ctx;
    int errors;
    int stop; /* nonzero: cb asked to stop */
    int top;
    hl_entry *hl;
    size_t n_hl, cap_hl;
    uint32_t *slots; /* open addressing over hl: index + 1, 0 empty */
    size_t cap_slots;
    bool hl_numbered;   /* every HL01 so far is its position: 1, 2, 3 ... */
    bool hl_table;      /* slots index every HL (built once the numbering broke) */
    bool memo;          /* place() may use and fill the placing states (pst) */
    bool missing_hit;   /* check_missing went past its mask test (it may report) */
    struct pstate *now; /* place(): the placing state after the segment it placed */
    int n_ep;
    /* (vctx_start sets every field above one by one: a new one goes there too)
     * not cleared per set (a memset per set was ~3 % of the validator): the frames, written
     * as they are opened, the element problems of the segment being checked, and the first
     * HLs of an 856 (most ASNs fit, so no allocation) */
    frame stk[MAX_DEPTH];
    dg_x12_problem ep[MAX_ELEM_PROBLEMS];
    hl_entry hl_small[HL_SMALL];
    uint32_t slots_small[HL_SMALL * 2];
} vctx;

/* (rules, present) pairs whose syntax rules all held: the outcome depends on nothing else (the
 * definitions stay as loaded), and segments repeat with the same elements present. Kept for
 * this thread's sets as long as they use the same definitions (dg_x12_defs_serial). */
#define RULES_OK 256
#define RULES_LAST 128
static _Thread_local struct {
    uint64_t serial;
    struct rules_held {
        const dg_x12_rule *rules;
        uint64_t present;
    } e[RULES_OK],
        /* by the rules' address alone, the last pair that held: its slot is known before the
         * elements present are, so the look-up does not wait for them (most segments of one
         * id have the same elements present) */
        last[RULES_LAST];
} rules_ok;

static void base_problem(const vctx *v, dg_x12_problem *p, dg_x12_level lvl, const char *code)
{
    memset(p, 0, sizeof *p);
    p->level = lvl;
    snprintf(p->code, sizeof p->code, "%s", code);
    const dg_x12_set *s = v->set;
    if (s->isa)
        snprintf(p->isa_control, sizeof p->isa_control, "%s", s->isa->control);
    if (s->gs)
        snprintf(p->gs_control, sizeof p->gs_control, "%s", s->gs->control);
    snprintf(p->st_control, sizeof p->st_control, "%s", s->control);
    snprintf(p->set_id, sizeof p->set_id, "%s", s->id);
}

static void emit(vctx *v, dg_x12_problem *p)
{
    if (!p->warning)
        v->errors++;
    if (v->cb && !v->stop)
        v->stop = v->cb(v->ctx, p);
}

static void seg_problem(vctx *v, const char *code, const char *seg_id, const dg_x12_seg *at,
                        const char *loop_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void seg_problem(vctx *v, const char *code, const char *seg_id, const dg_x12_seg *at,
                        const char *loop_id, const char *fmt, ...)
{
    dg_x12_problem p;
    base_problem(v, &p, DG_X12_LEVEL_SEGMENT, code);
    snprintf(p.seg_id, sizeof p.seg_id, "%s", seg_id);
    snprintf(p.loop_id, sizeof p.loop_id, "%s", loop_id ? loop_id : "");
    p.file_seg = at ? at->file_seg : 0;
    p.set_seg = at ? at->set_seg : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p.msg, sizeof p.msg, fmt, ap);
    va_end(ap);
    emit(v, &p);
}

/* ---- element values -------------------------------------------------------------------- */

static void copy_bad(char *dst, size_t size, const char *s, size_t n)
{
    if (n >= size)
        n = size - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void elem_problem(vctx *v, const dg_x12_seg *s, int pos, int comp, const dg_x12_elem_def *e,
                         const char *code, const char *val, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

static void elem_problem(vctx *v, const dg_x12_seg *s, int pos, int comp, const dg_x12_elem_def *e,
                         const char *code, const char *val, size_t len, const char *fmt, ...)
{
    if (v->n_ep >= MAX_ELEM_PROBLEMS)
        return;
    for (int i = 0; i < v->n_ep; i++) /* two rules failing on one element: one AK4 */
        if (v->ep[i].elem == pos && v->ep[i].comp == comp && !strcmp(v->ep[i].code, code))
            return;
    dg_x12_problem *p = &v->ep[v->n_ep++];
    base_problem(v, p, DG_X12_LEVEL_ELEMENT, code);
    snprintf(p->seg_id, sizeof p->seg_id, "%s", s->el[0]);
    p->file_seg = s->file_seg;
    p->set_seg = s->set_seg;
    p->elem = pos;
    p->comp = comp;
    if (e)
        snprintf(p->elem_ref, sizeof p->elem_ref, "%s", e->ref);
    if (val)
        copy_bad(p->bad_value, sizeof p->bad_value, val, len);
    char name[16];
    if (comp)
        snprintf(name, sizeof name, "%s%02d-%d", s->el[0], pos, comp);
    else
        snprintf(name, sizeof name, "%s%02d", s->el[0], pos);
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(p->msg, sizeof p->msg, "%s%s%s%s: %s", name, e ? " (" : "", e ? e->name : "",
             e ? ")" : "", m);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* A date of n (8 or 6) digits: month and day in range. */
static inline bool date_ok(const char *s, size_t n)
{
    int y, m, d;
    if (n == 8) {
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        s += 4;
    } else {
        y = 2000 + (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
    }
    m = (s[0] - '0') * 10 + (s[1] - '0');
    d = (s[2] - '0') * 10 + (s[3] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static bool valid_date(const char *s, size_t n)
{
    return all_digits(s, n) && (n == 8 || n == 6) && date_ok(s, n);
}

static bool valid_time(const char *s, size_t n)
{
    if (!all_digits(s, n) || n < 4 || n > 8 || n == 5)
        return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), mi = (s[2] - '0') * 10 + (s[3] - '0');
    if (h > 23 || mi > 59)
        return false;
    return n < 6 || (s[4] - '0') * 10 + (s[5] - '0') <= 59;
}

/* Checks one simple value (non-empty); inlined: it runs for every element. clean: the value is
 * known to be printable ASCII (see seg_delims). */
static inline __attribute__((always_inline)) void check_value(vctx *v, const dg_x12_seg *s, int pos,
                                                              int comp, const dg_x12_elem_def *e,
                                                              const char *val, size_t n, bool clean)
{
    size_t len = n;
    switch (e->type) {
    case DG_X12_N:
    case DG_X12_R: {
        const char *p = val;
        size_t k = n;
        if (k && *p == '-') {
            p++;
            k--;
        }
        size_t digits = 0, dots = 0;
        bool ok = k > 0;
        for (size_t i = 0; i < k && ok; i++) {
            if (p[i] >= '0' && p[i] <= '9') {
                digits++;
            } else if (p[i] == '.' && e->type == DG_X12_R) {
                dots++;
            } else if (p[i] == 'E' && e->type == DG_X12_R && v->v5010 && digits && i + 1 < k) {
                /* 005010 decimals may end in a base-10 exponent, not counted in the length */
                size_t j = i + 1 + (p[i + 1] == '-');
                ok = j < k && all_digits(p + j, k - j);
                break;
            } else {
                ok = false;
            }
        }
        if (!ok || dots > 1 || !digits) {
            elem_problem(v, s, pos, comp, e, "6", val, n, "'%.*s' is not a valid %s number",
                         (int)(n > 40 ? 40 : n), val, e->type == DG_X12_R ? "decimal" : "integer");
            return;
        }
        len = digits;
        break;
    }
    case DG_X12_DT:
        if (!valid_date(val, n) || (int)n < e->min || (int)n > e->max)
            elem_problem(v, s, pos, comp, e, "8", val, n, "invalid date '%.*s' (want %s)",
                         (int)(n > 40 ? 40 : n), val, e->min == 6 ? "YYMMDD" : "CCYYMMDD");
        return;
    case DG_X12_TM:
        if (!valid_time(val, n))
            elem_problem(v, s, pos, comp, e, "9", val, n, "invalid time '%.*s' (want HHMM[SS[dd]])",
                         (int)(n > 40 ? 40 : n), val);
        return;
    case DG_X12_B: return;
    default: {
        /* one compare per byte: anything outside 0x20..0x7e takes the exact path below */
        unsigned odd = 0;
        for (size_t i = 0; !clean && i < n; i++)
            odd |= (unsigned char)((unsigned char)val[i] - 0x20) >= 0x5f;
        unsigned high = 0, ctrl = 0;
        for (size_t i = 0; odd && i < n; i++) {
            unsigned c = (unsigned char)val[i];
            high |= c;
            ctrl |= (c < 0x20) | (c == 0x7f);
        }
        for (size_t i = 0; ctrl && i < n; i++) {
            unsigned char c = (unsigned char)val[i];
            if (c < 0x20 || c == 0x7f) {
                elem_problem(v, s, pos, comp, e, "6", val, n,
                             "control character 0x%02x in the value", c);
                return;
            }
        }
        len = n;
        if (high & 0x80) { /* a UTF-8 sequence counts as one character */
            len = 0;
            for (size_t i = 0; i < n; i++)
                len += ((unsigned char)val[i] & 0xc0) != 0x80;
        }
        break;
    }
    }
    if ((int)len < e->min) {
        elem_problem(v, s, pos, comp, e, "4", val, n, "'%.*s' is too short (%zu, minimum %d)",
                     (int)(n > 40 ? 40 : n), val, len, e->min);
        return;
    }
    if ((int)len > e->max) {
        elem_problem(v, s, pos, comp, e, "5", val, n, "'%.*s%s' is too long (%zu, maximum %d)",
                     (int)(n > 40 ? 40 : n), val, n > 40 ? "..." : "", len, e->max);
        return;
    }
    if (e->type == DG_X12_ID && e->codes && !dg_x12_code_fast(e, val, n, v->set->padded)) {
        elem_problem(v, s, pos, comp, e, "7", val, n, "'%.*s' is not a %scode",
                     (int)(n > 40 ? 40 : n), val, e->codes_open ? "known " : "valid ");
        if (e->codes_open && v->n_ep)
            v->ep[v->n_ep - 1].warning = true;
    }
}

/* Bit p (1..last) of *have: element p has a value; of the result: its length is within
 * [lo[p - 1], hi[p - 1]]. lens[1..] may be read up to a multiple of 4 past last (padded sets).
 * Why a vector path: the loop over positions with a test per kind was the largest part of the
 * element checks (about 30 instructions per element); with SSE2 (x86_64's baseline) four
 * lengths are compared at once and only the values that need a look at their bytes (codes,
 * numbers, dates, times) are visited. The plain loop gives the same masks
 * (tests/unit/x12/test_scan.c flat_bounds_vector_like_plain). */
static inline uint64_t flat_bounds_plain(const int32_t *lo, const int32_t *hi, const uint32_t *lens,
                                         int last, uint64_t *have)
{
    uint64_t h = 0, fits = 0;
    for (int p = 1; p <= last; p++) {
        const int64_t n = lens[p];
        h |= (uint64_t)(n != 0) << p;
        fits |= (uint64_t)(n >= lo[p - 1] && n <= hi[p - 1]) << p;
    }
    *have = h;
    return fits;
}

#ifdef __SSE2__
static inline uint64_t flat_bounds_sse2(const int32_t *lo, const int32_t *hi, const uint32_t *lens,
                                        int last, uint64_t *have)
{
    uint64_t absent = 0, out = 0;
    for (int c = 0; c < last; c += 4) {
        /* lengths stay below 2^30 (the reader's set limit): a signed compare is exact */
        const __m128i n = _mm_loadu_si128((const __m128i *)(const void *)(lens + 1 + c));
        const __m128i l = _mm_loadu_si128((const __m128i *)(const void *)(lo + c));
        const __m128i h = _mm_loadu_si128((const __m128i *)(const void *)(hi + c));
        const __m128i bad = _mm_or_si128(_mm_cmpgt_epi32(l, n), _mm_cmpgt_epi32(n, h));
        absent |=
            (uint64_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(n, _mm_setzero_si128())))
            << (c + 1);
        out |= (uint64_t)_mm_movemask_ps(_mm_castsi128_ps(bad)) << (c + 1);
    }
    const uint64_t upto = ((2ULL << last) - 1) & ~1ULL; /* bits 1..last (last < 64) */
    *have = ~absent & upto;
    return ~out & upto;
}
#endif

uint64_t dg_x12_debug_flat_bounds(bool vector, const int32_t *lo, const int32_t *hi,
                                  const uint32_t *lens, int last, uint64_t *have)
{
#ifdef __SSE2__
    if (vector)
        return flat_bounds_sse2(lo, hi, lens, last, have);
#endif
    (void)vector;
    return flat_bounds_plain(lo, hi, lens, last, have);
}

/* Per compiled code position (by its address), the last value its hash table held: most
 * positions see the same few codes, and the compare needs neither the hash nor the table's
 * load. Kept for this thread's sets while the definitions are the same (a freed set of
 * definitions' address may come back). */
#define CODES_SEEN 512
static _Thread_local struct {
    uint64_t serial;
    struct code_seen {
        const dg_x12_flat *f;
        uint64_t k;
    } e[CODES_SEEN];
} codes_seen;

/* Byte tests on the 8 bytes at s (padded sets: they may be read), one bit per byte (its bit 7),
 * for the compiled checks of numbers and dates: digits and '.' counted without a loop over the
 * bytes, whose exit branch the varying lengths kept mispredicting. Little-endian: byte k of
 * the value is bits 8k..8k+7; elsewhere the plain loops below are used instead. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define B8_USE 1
#else
#define B8_USE 0
#endif
#define B8_LOW7 0x7f7f7f7f7f7f7f7fULL
#define B8_HIGH 0x8080808080808080ULL
static inline uint64_t bytes8_load(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

/* bit 7 of each of the first n (1..8) bytes */
static inline uint64_t bytes8_mask(size_t n)
{
    return (n >= 8 ? ~0ULL : (1ULL << (8 * n)) - 1) & B8_HIGH;
}

static inline uint64_t bytes8_digits(const char *s)
{
    const uint64_t t = bytes8_load(s) ^ 0x3030303030303030ULL; /* a digit: 0..9 */
    return ~(((t & B8_LOW7) + 0x7676767676767676ULL) | t) & B8_HIGH;
}

static inline uint64_t bytes8_equal(const char *s, char c)
{
    const uint64_t t = bytes8_load(s) ^ (0x0101010101010101ULL * (unsigned char)c);
    return ~(((t & B8_LOW7) + B8_LOW7) | t) & B8_HIGH;
}

static inline size_t bytes8_count(uint64_t bits)
{
    return (size_t)(((bits >> 7) * 0x0101010101010101ULL) >> 56);
}

/* The values of elements 1..last against their compiled checks: sets *present (bit p: element p
 * has a value) and returns the positions whose value they did not accept. Inline: with the
 * lengths compared four at a time it is short, and its call cost about 20 instructions. */
static inline __attribute__((always_inline)) uint64_t flat_pass(const dg_x12_seg_def *def,
                                                                const char *const *el,
                                                                const uint32_t *lens, int last,
                                                                uint64_t *present)
{
    uint64_t have, fits;
#ifdef __SSE2__
    fits = flat_bounds_sse2(def->flat_lo, def->flat_hi, lens, last, &have);
#else
    fits = flat_bounds_plain(def->flat_lo, def->flat_hi, lens, last, &have);
#endif
    *present = have;
    uint64_t refused = have & ~fits, look = have & fits, m;
    const dg_x12_flat *flat = def->flat;
    for (m = look & def->flat_code; m; m &= m - 1) {
        const int i = __builtin_ctzll(m);
        const dg_x12_flat *f = &flat[i - 1];
        const uint64_t k = dg_x12_pack8_padded(el[i], lens[i]); /* only from padded sets */
        struct code_seen *seen = &codes_seen.e[((uintptr_t)f >> 3) % CODES_SEEN];
        if (seen->f == f && seen->k == k)
            continue;
        size_t j = (size_t)dg_x12_mix64(k) & f->hash_mask;
        while (f->hash[j] && f->hash[j] != k)
            j = (j + 1) & f->hash_mask;
        if (!f->hash[j])
            refused |= m & (0 - m);
        else
            *seen = (struct code_seen){f, k};
    }
    for (m = look & def->flat_num; m; m &= m - 1) {
        const int i = __builtin_ctzll(m);
        const dg_x12_flat *f = &flat[i - 1];
        const char *val = el[i];
        const size_t n = lens[i], minus = *val == '-';
        size_t digits = 0, dots = 0;
        if (B8_USE && n <= 8) {
            const uint64_t mask = bytes8_mask(n);
            digits = bytes8_count(bytes8_digits(val) & mask);
            dots = bytes8_count(bytes8_equal(val, '.') & mask);
        } else {
            for (size_t b = minus; b < n; b++) {
                const unsigned c = (unsigned char)val[b];
                digits += c - '0' < 10;
                dots += c == '.';
            }
        }
        if (!(digits + dots + minus == n && digits && digits >= f->min && digits <= f->max &&
              dots <= (f->kind == DG_X12_FLAT_DEC ? 1u : 0u)))
            refused |= m & (0 - m);
    }
    for (m = look & def->flat_date; m; m &= m - 1) {
        const int i = __builtin_ctzll(m);
        const size_t n = lens[i];
        if ((n != 8 && n != 6) ||
            !(B8_USE ? bytes8_digits(el[i]) == bytes8_mask(n) : all_digits(el[i], n)) ||
            !date_ok(el[i], n))
            refused |= m & (0 - m);
    }
    for (m = look & def->flat_time; m; m &= m - 1) {
        const int i = __builtin_ctzll(m);
        if (!valid_time(el[i], lens[i]))
            refused |= m & (0 - m);
    }
    return refused;
}

static _Thread_local bool no_flat; /* dg_x12_debug_set_flat_checks(false) */

void dg_x12_debug_set_flat_checks(bool on)
{
    no_flat = !on;
}

static const char *find_char(const char *s, size_t n, char c)
{
    return c ? memchr(s, c, n) : NULL;
}

static int lowest_bit(uint64_t m)
{
    return m ? __builtin_ctzll(m) : 0;
}

/* present: bit p set when element (or component) p has a value. */
static void check_rules_slow(vctx *v, const dg_x12_seg *s, int comp_of, const dg_x12_rule *rules,
                             int n_rules, const uint64_t *rules_at, uint64_t rules_r,
                             uint64_t present, const dg_x12_elem_use *uses);

static inline void check_rules(vctx *v, const dg_x12_seg *s, int comp_of, const dg_x12_rule *rules,
                               int n_rules, const uint64_t *rules_at, uint64_t rules_r,
                               uint64_t present, const dg_x12_elem_use *uses)
{
    /* (the rules' address reaches the high bits too: the arrays lie close together, and
     * segments of different ids often have the same elements present) */
    struct rules_held *last = &rules_ok.last[((uintptr_t)rules >> 4) % RULES_LAST];
    if (last->rules == rules && last->present == present)
        return;
    uint64_t x =
        ((uint64_t)(uintptr_t)rules ^ present * 0x9e3779b97f4a7c15ULL) * 0xff51afd7ed558ccdULL;
    size_t h = (size_t)(x >> 56) & (RULES_OK - 1);
    if (rules_ok.e[h].rules == rules && rules_ok.e[h].present == present) {
        *last = rules_ok.e[h];
        return;
    }
    int before = v->n_ep;
    check_rules_slow(v, s, comp_of, rules, n_rules, rules_at, rules_r, present, uses);
    if (v->n_ep == before && before < MAX_ELEM_PROBLEMS) { /* else a problem may be dropped */
        rules_ok.e[h].rules = rules;
        rules_ok.e[h].present = present;
        *last = rules_ok.e[h];
    }
}

static void check_rules_slow(vctx *v, const dg_x12_seg *s, int comp_of, const dg_x12_rule *rules,
                             int n_rules, const uint64_t *rules_at, uint64_t rules_r,
                             uint64_t present, const dg_x12_elem_use *uses)
{
    /* only the rules naming a present element, and the R rules, can fail */
    uint64_t to_check = rules_r;
    if (rules_at)
        for (uint64_t m = present; m; m &= m - 1)
            to_check |= rules_at[lowest_bit(m)];
    else
        to_check = n_rules >= 64 ? ~0ULL : (1ULL << n_rules) - 1;
    for (; to_check; to_check &= to_check - 1) {
        int i = lowest_bit(to_check);
        if (i >= n_rules)
            break;
        const dg_x12_rule *r = &rules[i];
        uint64_t have = present & r->mask, first = 1ULL << (r->pos[0] & 63);
        if (!have && r->kind != 'R')
            continue; /* nothing of the rule present: only R can fail */
        int n_present = 0;
        for (uint64_t m = have; m; m &= m - 1)
            n_present++;
        int bad = 0;
        const char *code = "2";
        switch (r->kind) {
        case 'P': bad = n_present && n_present < r->n ? lowest_bit(r->mask & ~present) : 0; break;
        case 'R': bad = n_present ? 0 : r->pos[0]; break;
        case 'E':
            bad = n_present > 1 ? lowest_bit(have & ~(1ULL << lowest_bit(have))) : 0;
            code = "10";
            break;
        case 'C':
            bad = (present & first) && n_present < r->n ? lowest_bit(r->mask & ~present) : 0;
            break;
        case 'L': bad = (present & first) && n_present < 2 ? r->pos[1] : 0; break;
        }
        if (!bad)
            continue;
        const dg_x12_elem_use *u = &uses[bad - 1];
        int pos = comp_of ? comp_of : bad, comp = comp_of ? bad : 0;
        elem_problem(v, s, pos, comp, u->elem, code, NULL, 0, "syntax rule %s: %s", r->text,
                     r->kind == 'E'   ? "only one of these may be present"
                     : r->kind == 'R' ? "at least one of these is required"
                                      : "this element is required with the others");
    }
}

static void check_composite(vctx *v, const dg_x12_seg *s, int pos, const dg_x12_comp_def *c,
                            const char *val, size_t n, bool clean)
{
    uint64_t present = 0;
    int k = 0;
    const char *p = val, *end = val + n;
    while (p <= end) {
        const char *sep = find_char(p, (size_t)(end - p), v->d.comp);
        const char *stop = sep ? sep : end;
        k++;
        size_t len = (size_t)(stop - p);
        if (k > c->n_comps) {
            if (len) {
                elem_problem(v, s, pos, k, NULL, v->v5010 ? "13" : "3", p, len,
                             "too many components (composite %s has %d)", c->ref, c->n_comps);
                return;
            }
        } else if (len) {
            if (k < 64)
                present |= 1ULL << k;
            check_value(v, s, pos, k, c->comps[k - 1].elem, p, len, clean);
        }
        if (!sep)
            break;
        p = sep + 1;
    }
    for (int i = 0; i < c->n_comps && i < 63 && (c->mandatory & ~present); i++)
        if (c->comps[i].usage == 'M' && !(present & (1ULL << (i + 1))))
            elem_problem(v, s, pos, i + 1, c->comps[i].elem, "1", NULL, 0,
                         "mandatory component missing");
    if (c->n_rules)
        check_rules(v, s, pos, c->rules, c->n_rules, c->rules_at, c->rules_r, present, c->comps);
}

/* What one pass over a segment's elements tells (when they lie back to back, as the reader
 * stores them, each followed by its NUL): whether the component / repetition character occurs
 * at all ("maybe" otherwise, for a per-element look) and whether every value byte is plain
 * printable ASCII (0x20..0x7e), so that no value needs the byte-wise control / UTF-8 check. */
typedef struct {
    bool comp, rep, clean;
} seg_scan;

#ifndef __SSE2__
#define SW_ONES 0x0101010101010101ULL
#define SW_LOW7 0x7f7f7f7f7f7f7f7fULL
#define SW_HIGH 0x8080808080808080ULL

/* Per 8 bytes: the high bit of each byte < 0x20 (NUL included) goes into ctl (and their
 * number into n_ctl), of each byte >= 0x7f into hi, of each byte equal to the component /
 * repetition character into comp / rep. Exact: no carries cross a byte. */
static inline uint64_t sw_eq(uint64_t x, uint64_t m)
{
    x ^= m;
    return ~(((x & SW_LOW7) + SW_LOW7) | x | SW_LOW7);
}

static inline void sw_word(uint64_t x, uint64_t cm, uint64_t rm, bool rep_used, uint64_t *hi,
                           uint64_t *comp, uint64_t *rep, unsigned *n_ctl)
{
    uint64_t lo7 = x & SW_LOW7;
    uint64_t ctl = ~((lo7 + 0x6060606060606060ULL) | x) & SW_HIGH;
    *hi |= ((lo7 + SW_ONES) | x) & SW_HIGH;
    *n_ctl += (unsigned)(((ctl >> 7) * SW_ONES) >> 56);
    *comp |= sw_eq(x, cm);
    if (rep_used)
        *rep |= sw_eq(x, rm);
}

#endif

static void seg_delims(const vctx *v, const dg_x12_seg *s, seg_scan *out)
{
    out->comp = out->rep = true;
    out->clean = false;
    if (s->n_el < 1 || !s->el_len)
        return;
    bool nul_seps = true;
    for (int i = 1; i < s->n_el; i++) {
        if (s->el[i + 1] != s->el[i] + s->el_len[i] + 1)
            return;
        nul_seps &= !s->el[i][s->el_len[i]];
    }
    const unsigned char *b = (const unsigned char *)s->el[1];
    size_t n = (size_t)(s->el[s->n_el] + s->el_len[s->n_el] - s->el[1]);
    /* a delimiter that is NUL or the padding below cannot be looked for in words */
    bool rep_used = v->v5010 && v->d.rep;
    if (!v->d.comp || v->d.comp == ' ' || (rep_used && v->d.rep == ' ')) {
        out->comp = v->d.comp && memchr(b, v->d.comp, n);
        out->rep = rep_used && memchr(b, v->d.rep, n);
        return;
    }
#ifdef __SSE2__
    /* 16 bytes at a time; odd: bytes < 0x20 or >= 0x7f (signed: 0x80.. are negative) */
    const __m128i vc = _mm_set1_epi8((char)v->d.comp), vr = _mm_set1_epi8((char)v->d.rep);
    const __m128i v20 = _mm_set1_epi8(0x20), v7f = _mm_set1_epi8(0x7f);
    unsigned n_odd = 0, comp = 0, rep = 0;
    size_t i = 0;
    for (;; i += 16) {
        __m128i x;
        unsigned keep = 0xffff;
        if (i + 16 <= n) {
            x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        } else if (i >= n) {
            break;
        } else if (n >= 16) { /* the last 16 bytes; those already seen come first */
            x = _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16));
            keep &= ~((1u << (16 - (n - i))) - 1);
        } else if (n >= 8) { /* b[0..7] and b[n-8..n-1]; drop the repeated ones */
            uint64_t lo, hi8;
            memcpy(&lo, b, 8);
            memcpy(&hi8, b + n - 8, 8);
            x = _mm_set_epi64x((long long)hi8, (long long)lo);
            keep &= ~(((1u << (16 - n)) - 1) << 8);
        } else if (n >= 4) {
            uint32_t lo, hi4;
            memcpy(&lo, b, 4);
            memcpy(&hi4, b + n - 4, 4);
            x = _mm_cvtsi64_si128((long long)((uint64_t)hi4 << 32 | lo));
            keep = 0xff & ~(((1u << (8 - n)) - 1) << 4);
        } else {
            char t[16] = "                ";
            for (size_t k = 0; k < n; k++)
                t[k] = (char)b[k];
            x = _mm_loadu_si128((const __m128i *)(const void *)t);
        }
        __m128i odd = _mm_or_si128(_mm_cmplt_epi8(x, v20), _mm_cmpeq_epi8(x, v7f));
        for (unsigned m = (unsigned)_mm_movemask_epi8(odd) & keep; m; m &= m - 1)
            n_odd++;
        comp |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vc)) & keep;
        if (rep_used)
            rep |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vr)) & keep;
    }
    out->comp = comp != 0;
    out->rep = rep_used && rep != 0;
    /* the n_el - 1 NUL separators are the only odd bytes: no value holds one */
    out->clean = nul_seps && n_odd == (unsigned)(s->n_el - 1);
#else
    uint64_t cm = SW_ONES * (unsigned char)v->d.comp;
    uint64_t rm = SW_ONES * (unsigned char)v->d.rep;
    uint64_t hi = 0, comp = 0, rep = 0, x;
    unsigned n_ctl = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, b + i, 8);
        sw_word(x, cm, rm, rep_used, &hi, &comp, &rep, &n_ctl);
    }
    if (i < n) { /* the rest, the other bytes of the word spaces (no class looked for) */
        x = 0x2020202020202020ULL;
        for (size_t k = 0; i + k < n; k++)
            x = (x & ~(0xffULL << (8 * k))) | (uint64_t)b[i + k] << (8 * k);
        sw_word(x, cm, rm, rep_used, &hi, &comp, &rep, &n_ctl);
    }
    out->comp = comp != 0;
    out->rep = rep_used && rep != 0;
    /* the n_el - 1 NUL separators are the only bytes below 0x20: no value holds one */
    out->clean = !hi && nul_seps && n_ctl == (unsigned)(s->n_el - 1);
#endif
}

/* scan: the reader's DG_X12_SCAN_* bits for s, 0 when not known */
/* After the values: a value past the definition, mandatory elements missing, syntax rules. */
/* Values after position last (past the definition): the first one is reported. */
static __attribute__((noinline)) void values_past(vctx *v, const dg_x12_seg *s,
                                                  const dg_x12_seg_def *def, int last)
{
    const uint32_t *lens = s->el_len;
    for (int k = last + 1; k <= s->n_el; k++) {
        size_t n = lens ? lens[k] : strlen(s->el[k]);
        if (n) {
            elem_problem(v, s, k, 0, NULL, "3", s->el[k], n, "too many data elements (%s has %d)",
                         def->id, def->n_elems);
            break;
        }
    }
}

static __attribute__((noinline)) void mandatory_missing(vctx *v, const dg_x12_seg *s,
                                                        const dg_x12_seg_def *def, uint64_t present)
{
    for (int k = 0; k < def->n_elems && k < 63; k++)
        if (def->elems[k].usage == 'M' && !(present & (1ULL << (k + 1))))
            elem_problem(v, s, k + 1, 0, def->elems[k].elem, "1", NULL, 0,
                         "mandatory data element missing");
}

/* Inline with its rare parts out of line: it runs for every segment, and as a call of its own
 * it cost about 20 instructions of entry and exit. */
static inline __attribute__((always_inline)) void check_after_values(vctx *v, const dg_x12_seg *s,
                                                                     const dg_x12_seg_def *def,
                                                                     int last, uint64_t present)
{
    if (s->n_el > last)
        values_past(v, s, def, last);
    if (def->mandatory & ~present)
        mandatory_missing(v, s, def, present);
    if (def->n_rules)
        check_rules(v, s, 0, def->rules, def->n_rules, def->rules_at, def->rules_r, present,
                    def->elems);
}

static void check_elements(vctx *v, const dg_x12_seg *s, unsigned scan, const dg_x12_seg_def *def)
{
    if (def->n_elems < 0)
        return;
    int last = s->n_el < def->n_elems ? s->n_el : def->n_elems;
    if (scan == DG_X12_SCAN_DONE && v->flat && last < 64) {
        /* the usual segment of the reader's (no component or repetition character, printable
         * ASCII only): each value against its position's compiled checks; a value they do not
         * accept goes through the general checks (and is reported there) */
        uint64_t present;
        for (uint64_t m = flat_pass(def, s->el, s->el_len, last, &present); m; m &= m - 1) {
            int k = __builtin_ctzll(m);
            const dg_x12_elem_use *u = &def->elems[k - 1];
            if (u->comp)
                check_composite(v, s, k, u->comp, s->el[k], s->el_len[k], true);
            else
                check_value(v, s, k, 0, u->elem, s->el[k], s->el_len[k], true);
        }
        check_after_values(v, s, def, last, present);
        return;
    }
    seg_scan sc;
    if (scan & DG_X12_SCAN_DONE) { /* the reader's pass told already */
        sc.comp = (scan & DG_X12_SCAN_COMP) != 0;
        sc.rep = (scan & DG_X12_SCAN_REP) != 0;
        sc.clean = !(scan & DG_X12_SCAN_ODD);
    } else {
        seg_delims(v, s, &sc);
    }
    /* repetition only exists from 004020 on; definitions before 005010 repeat nothing and
     * older data often uses the ISA11 character freely ('-' in postal codes) */
    const bool any_comp = sc.comp, any_rep = sc.rep && v->v5010 && v->d.rep, clean = sc.clean;
    const uint32_t *lens = s->el_len;
    uint64_t present = 0;
    int i = 1;
    if (!any_comp && !any_rep && lens && last < 64) {
        /* the usual segment: no separator inside any value, so each value goes straight to its
         * check (the loop below would find the same with more tests per element) */
        for (; i <= last; i++) {
            size_t n = lens[i];
            if (!n)
                continue;
            present |= 1ULL << i;
            const dg_x12_elem_use *u = &def->elems[i - 1];
            if (u->comp)
                check_composite(v, s, i, u->comp, s->el[i], n, clean);
            else
                check_value(v, s, i, 0, u->elem, s->el[i], n, clean);
        }
    }
    for (; i <= last; i++) {
        const char *val = s->el[i];
        size_t n = lens ? lens[i] : strlen(val);
        if (!n)
            continue;
        if (i < 64)
            present |= 1ULL << i;
        const dg_x12_elem_use *u = &def->elems[i - 1];
        if (any_rep && find_char(val, n, v->d.rep)) {
            elem_problem(v, s, i, 0, u->elem, "12", val, n,
                         "repetition separator '%c' in an element that does not repeat", v->d.rep);
            continue;
        }
        if (u->comp) {
            check_composite(v, s, i, u->comp, val, n, clean);
            continue;
        }
        if (any_comp && find_char(val, n, v->d.comp)) {
            elem_problem(v, s, i, 0, u->elem, v->v5010 ? "13" : "6", val, n,
                         "component separator '%c' in a simple element", v->d.comp);
            continue;
        }
        check_value(v, s, i, 0, u->elem, val, n, clean);
    }
    check_after_values(v, s, def, last, present);
}

/* ---- 856 HL hierarchy ---------------------------------------------------------------------- */

/* strcmp(a, b) == 0 inline: HL ids and level codes are a few characters */
static inline bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static const dg_x12_hl_level *hl_rule(const dg_x12_set_def *def, const char *code)
{
    for (size_t i = 0; i < def->n_hl_levels; i++)
        if (str_eq(def->hl_levels[i].code, code))
            return &def->hl_levels[i];
    return NULL;
}

static size_t hl_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Index of the HL with this HL01, or -1. */
static long hl_find(const vctx *v, const char *id)
{
    if (!v->cap_slots)
        return -1;
    for (size_t j = hl_hash(id) & (v->cap_slots - 1);; j = (j + 1) & (v->cap_slots - 1)) {
        uint32_t k = v->slots[j];
        if (!k)
            return -1;
        if (str_eq(v->hl[k - 1].id, id))
            return (long)k - 1;
    }
}

static void hl_slot(vctx *v, size_t idx)
{
    size_t j = hl_hash(v->hl[idx].id) & (v->cap_slots - 1);
    while (v->slots[j])
        j = (j + 1) & (v->cap_slots - 1);
    v->slots[j] = (uint32_t)idx + 1;
}

/* Every HL so far into a table with room for one more (grown as needed), in order. */
static void hl_reindex(vctx *v)
{
    while ((v->n_hl + 1) * 2 > v->cap_slots) {
        if (v->slots != v->slots_small)
            free(v->slots);
        if (!v->cap_slots) {
            v->cap_slots = HL_SMALL * 2;
            v->slots = v->slots_small;
        } else {
            v->cap_slots *= 2;
            v->slots = calloc(v->cap_slots, sizeof *v->slots);
            if (!v->slots)
                abort();
        }
    }
    memset(v->slots, 0, v->cap_slots * sizeof *v->slots);
    for (size_t i = 0; i < v->n_hl; i++)
        hl_slot(v, i);
}

/* The HL just added (idx, the last one) into the table. */
static void hl_index(vctx *v, size_t idx)
{
    if ((v->n_hl + 1) * 2 > v->cap_slots)
        hl_reindex(v); /* (idx included) */
    else
        hl_slot(v, idx);
}

/* Whether id is the decimal number k (1..999999999) as written without leading zeros. */
static bool hl_is_number(const char *id, size_t k)
{
    if (*id < '1' || *id > '9')
        return false;
    size_t n = 0;
    int digits = 0;
    for (; *id >= '0' && *id <= '9' && digits < 10; id++, digits++)
        n = n * 10 + (size_t)(*id - '0');
    return !*id && n == k;
}

/* hl_find while every HL01 so far is its position (1, 2, 3 ...: v->hl_numbered), without the
 * table: id names HL k when it is k written plainly. */
static long hl_find_numbered(const vctx *v, const char *id)
{
    if (*id < '1' || *id > '9')
        return -1;
    size_t n = 0;
    int digits = 0;
    for (; *id >= '0' && *id <= '9' && digits < 10; id++, digits++)
        n = n * 10 + (size_t)(*id - '0');
    return !*id && n >= 1 && n <= v->n_hl ? (long)n - 1 : -1;
}

/* The HL hierarchy (unique HL01, HL02 naming an earlier HL, the levels a parent may have) is
 * usage, not X12 syntax: HL01/HL02 are not coded elements and no AK3/AK4 code describes a
 * broken tree, so these are warnings without a code; the set is not rejected for them. */
static void hl_warning(vctx *v, const dg_x12_seg *s, int elem, const char *bad, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

static void hl_warning(vctx *v, const dg_x12_seg *s, int elem, const char *bad, const char *fmt,
                       ...)
{
    dg_x12_problem p;
    base_problem(v, &p, DG_X12_LEVEL_SEGMENT, "");
    p.warning = true;
    snprintf(p.seg_id, sizeof p.seg_id, "HL");
    snprintf(p.loop_id, sizeof p.loop_id, "HL");
    snprintf(p.elem_ref, sizeof p.elem_ref, "%s", elem == 1 ? "628" : "734");
    p.file_seg = s->file_seg;
    p.set_seg = s->set_seg;
    p.elem = elem;
    copy_bad(p.bad_value, sizeof p.bad_value, bad, strlen(bad));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p.msg, sizeof p.msg, fmt, ap);
    va_end(ap);
    emit(v, &p);
}

static void check_hl(vctx *v, const dg_x12_seg *s, const dg_x12_seg_def *hl)
{
    (void)hl;
    const char *id = s->n_el >= 1 ? s->el[1] : "";
    const char *parent = s->n_el >= 2 ? s->el[2] : "";
    const char *level = s->n_el >= 3 ? s->el[3] : "";
    if (!*id)
        return; /* reported as a missing mandatory element */
    /* most ASNs number their HLs 1, 2, 3 ...: then HL01 is new when it is the next number and
     * HL02 names HL p when it is p, and the table is built only when the numbering breaks */
    bool numbered = v->hl_numbered =
        (v->hl_numbered || !v->n_hl) && !no_flat && hl_is_number(id, v->n_hl + 1);
    if (!numbered && !v->hl_table) {
        v->hl_table = true;
        hl_reindex(v);
    }
    if (!numbered && hl_find(v, id) >= 0) {
        hl_warning(v, s, 1, id, "HL01 '%s' repeats the id of an earlier HL", id);
        return;
    }
    if (*parent) {
        long pi = numbered ? hl_find_numbered(v, parent) : hl_find(v, parent);
        const hl_entry *par = pi >= 0 ? &v->hl[pi] : NULL;
        if (!par) {
            hl_warning(v, s, 2, parent, "HL02 parent '%s' names no earlier HL in this set", parent);
        } else {
            const dg_x12_hl_level *rule = hl_rule(v->def, level);
            bool ok = !rule;
            for (size_t k = 0; rule && k < rule->n_parents && !ok; k++)
                ok = str_eq(rule->parents[k], par->level);
            if (!ok)
                hl_warning(v, s, 2, parent,
                           "HL level %s under HL %s of level %s is not a usual nesting (edi "
                           "hl_levels)",
                           level, parent, par->level);
        }
    }
    if (v->n_hl == v->cap_hl) {
        if (!v->cap_hl) {
            v->cap_hl = HL_SMALL;
            v->hl = v->hl_small;
        } else {
            v->cap_hl *= 2;
            hl_entry *p = malloc(v->cap_hl * sizeof *p);
            if (!p)
                abort();
            memcpy(p, v->hl, v->n_hl * sizeof *p);
            if (v->hl != v->hl_small)
                free(v->hl);
            v->hl = p;
        }
    }
    hl_entry *h = &v->hl[v->n_hl++];
    /* (a NUL inside a value ends it for every use here, as for strlen) */
    size_t ni = s->el_len && s->n_el >= 1 ? s->el_len[1] : strlen(id);
    size_t nl = s->el_len && s->n_el >= 3 ? s->el_len[3] : strlen(level);
    ni = ni < sizeof h->id ? ni : sizeof h->id - 1;
    nl = nl < sizeof h->level ? nl : sizeof h->level - 1;
    memcpy(h->id, id, ni);
    h->id[ni] = '\0';
    memcpy(h->level, level, nl);
    h->level[nl] = '\0';
    if (v->hl_table)
        hl_index(v, v->n_hl - 1);
}

/* ---- structure ------------------------------------------------------------------------- */

static const char *loop_of(const vctx *v, int depth)
{
    return depth > 0 ? v->stk[depth].loop->loop_id : "";
}

static void check_missing_slow(vctx *v, int depth, size_t from, size_t to, const dg_x12_seg *at);

/* Mandatory entries of frame depth in [from, to) that never occurred. */
static inline void check_missing(vctx *v, int depth, size_t from, size_t to, const dg_x12_seg *at)
{
    if (from >= to)
        return;
    if (to <= 64) {
        uint64_t range = (to == 64 ? ~0ULL : (1ULL << to) - 1) & ~((1ULL << from) - 1);
        if (!(v->stk[depth].loop->mandatory & range))
            return;
    }
    v->missing_hit = true;
    check_missing_slow(v, depth, from, to, at);
}

/* Whether a segment with this key follows at in the set. Asked only for the set's top level
 * (entered once per set), so the scan costs at most one pass per top-level entry. */
static bool later_in_set(const vctx *v, const dg_x12_seg *at, uint32_t key)
{
    const dg_x12_seg *end = v->set->segs + v->set->n_segs;
    if (!at || at < v->set->segs || at >= end)
        return false;
    for (const dg_x12_seg *s = at + 1; s < end; s++)
        if (s->n_el >= 0 && dg_x12_seg_key(s->el[0]) == key && key != dg_x12_seg_key("SE"))
            return true;
    return false;
}

static void check_missing_slow(vctx *v, int depth, size_t from, size_t to, const dg_x12_seg *at)
{
    const frame *f = &v->stk[depth];
    for (size_t q = from; q < to; q++) {
        if (depth > 0 && q == 0)
            continue;
        const dg_x12_node *e = &f->loop->body[q];
        if (e->usage != 'M')
            continue;
        if (depth == 0 && !strcmp(e->seg->id, "SE") && !v->set->complete)
            continue; /* the reader reports the missing SE (AK5 2) */
        if (depth == 0 && later_in_set(v, at, e->seg->key))
            continue; /* it comes later, out of sequence: reported there once (AK304 7) */
        seg_problem(v, "3", e->seg->id, at, e->loop_id[0] ? e->loop_id : loop_of(v, depth),
                    "mandatory %s %s missing%s%s", e->loop_id[0] ? "loop" : "segment", e->seg->id,
                    depth > 0 ? " in loop " : "", depth > 0 ? loop_of(v, depth) : "");
    }
}

static size_t rest_from(const frame *f)
{
    return f->count > 0 ? f->pos + 1 : f->pos;
}

static inline void pop_to(vctx *v, int depth, const dg_x12_seg *at)
{
    while (v->top > depth) {
        frame *f = &v->stk[v->top];
        check_missing(v, v->top, rest_from(f), f->loop->n_body, at);
        v->top--;
    }
}

static bool node_has(const dg_x12_node *n, const char *id)
{
    if (!strcmp(n->seg->id, id))
        return true;
    for (size_t i = 0; i < n->n_body; i++)
        if (node_has(&n->body[i], id))
            return true;
    return false;
}

/* A segment that fits nowhere ahead: tell unknown (1), foreign (6), late (7) and misplaced (2). */
static void misfit(vctx *v, const dg_x12_seg *s)
{
    const char *id = s->el[0];
    const char *loop = loop_of(v, v->top);
    if (!dg_x12_version_seg(v->ver, id)) {
        seg_problem(v, "1", id, s, loop, "unrecognized segment %s (not in the %s dictionary)", id,
                    dg_x12_version_name(v->ver));
        return;
    }
    if (!node_has(&v->def->root, id)) {
        seg_problem(v, "6", id, s, loop, "segment %s is not part of transaction set %s", id,
                    v->def->id);
        return;
    }
    for (int d = v->top; d >= 0; d--) {
        const frame *f = &v->stk[d];
        for (size_t q = 0; q < f->pos; q++)
            if (node_has(&f->loop->body[q], id)) {
                /* AK303 names the loop it belongs to, not the loop open where it was found */
                const dg_x12_node *home = &f->loop->body[q];
                seg_problem(v, "7", id, s, home->loop_id[0] ? home->loop_id : loop_of(v, d),
                            "segment %s out of sequence (belongs before %s)", id,
                            f->loop->body[f->pos].seg->id);
                return;
            }
    }
    seg_problem(v, "2", id, s, loop, "segment %s unexpected here%s%s", id, *loop ? " in loop " : "",
                loop);
}

/* dg_x12_seg_key of s's id, from its length when the reader gave it (2 and 3 without a loop) */
static inline uint32_t seg_key_of(const dg_x12_seg *s)
{
    const unsigned char *id = (const unsigned char *)s->el[0];
    uint32_t n = s->el_len ? s->el_len[0] : 0;
    if (n == 2 && id[0] && id[1])
        return (uint32_t)id[0] << 8 | id[1];
    if (n == 3 && id[0] && id[1] && id[2])
        return (uint32_t)id[0] << 16 | (uint32_t)id[1] << 8 | id[2];
    return dg_x12_seg_key(s->el[0]);
}

/* The placing as an automaton. A state is where the structure stands: the innermost open loop,
 * its position and whether that entry was used (count > 0). The frames below the innermost loop
 * are its ancestors, each at the position of the loop above it (count > 0), so a state and a
 * segment's key decide the search and every missing-entry check on the way: the frame the
 * segment matched in (depth), the entry (q), whether it was another use of the current one,
 * and the state after it. A state keeps its last few such steps (never one whose checks could
 * report: a mandatory entry skipped), each pointing at the state it leads to, so a set made of
 * known steps goes from state to state with one load per segment. Why: with the memo keyed by
 * a hash of the frame stack's top (before this), each segment's lookup waited for the stack
 * updates and the table load of the one before, a chain of ~30 cycles per segment that was
 * most of the validator's time outside the element checks; the search itself, with its frame
 * walk and missing checks, is ~130 instructions per segment. Kept for this thread's sets while
 * the definitions are the same; when the table is full it starts over, so that every pointer
 * between states stays within one filling. */
#define PSTATES 256
#define PSTEPS 4
typedef struct pstate pstate;
typedef struct {
    const dg_x12_node *e;
    const char *loop_id;
    pstate *next;
    int depth;
    uint32_t q;
    bool again;
} pstep;
struct pstate {
    _Alignas(64) const dg_x12_node *loop;
    uint32_t pos_used;     /* pos << 1 | (count > 0) */
    uint32_t n_kept;       /* steps kept so far (the next one replaces step[n_kept % PSTEPS]) */
    uint32_t keys[PSTEPS]; /* the segment key of each step, 0: none */
    pstep step[PSTEPS];
};
static _Thread_local struct {
    uint64_t serial;
    uint32_t n;                  /* states in use */
    uint16_t index[PSTATES * 2]; /* by (loop, pos_used): state + 1, 0 empty */
    pstate s[PSTATES];
} pst;

static _Thread_local uint32_t pst_cap = PSTATES; /* dg_x12_debug_set_placing_states */

void dg_x12_debug_set_placing_states(unsigned n)
{
    pst_cap = n >= 2 && n <= PSTATES ? n : PSTATES;
}

static void pst_clear(uint64_t serial)
{
    pst.serial = serial;
    pst.n = 0;
    memset(pst.index, 0, sizeof pst.index);
}

/* The state of (loop, pos_used), added when new; the table must have room for it. */
static pstate *pst_state(const dg_x12_node *loop, uint32_t pos_used)
{
    const uint64_t x =
        ((uint64_t)(uintptr_t)loop ^ (uint64_t)pos_used << 32) * 0x9e3779b97f4a7c15ULL;
    size_t j = (size_t)(x >> 55); /* PSTATES * 2 = 2^9 slots */
    for (; pst.index[j]; j = (j + 1) % (PSTATES * 2)) {
        pstate *st = &pst.s[pst.index[j] - 1];
        if (st->loop == loop && st->pos_used == pos_used)
            return st;
    }
    pstate *st = &pst.s[pst.n++];
    memset(st, 0, sizeof *st);
    st->loop = loop;
    st->pos_used = pos_used;
    pst.index[j] = (uint16_t)pst.n;
    return st;
}

static uint32_t frame_pos_used(const frame *f)
{
    return (uint32_t)f->pos << 1 | (f->count > 0);
}

/* The state of a set's start (the root, nothing used yet). */
static pstate *pst_start(const dg_x12_node *root)
{
    if (pst.n + 1 > pst_cap)
        pst_clear(pst.serial);
    return pst_state(root, 0);
}

/* The step kept for key in st, or NULL. Branches, not a vector compare: predicted, they let the
 * next segment's state load start before this one's keys are compared. */
static inline const pstep *pst_step(const pstate *st, uint32_t key)
{
    if (st->keys[0] == key)
        return &st->step[0];
    if (st->keys[1] == key)
        return &st->step[1];
    if (st->keys[2] == key)
        return &st->step[2];
    if (st->keys[3] == key)
        return &st->step[3];
    return NULL;
}

/* The entry e matched in frame f (count updated): its max use, and its loop opened. */
static inline void enter(vctx *v, const dg_x12_seg *s, const dg_x12_node *e, const frame *f,
                         int depth, const char *loop_id)
{
    if (e->max && f->count > e->max)
        seg_problem(v, e->loop_id[0] ? "4" : "5", s->el[0], s, loop_id,
                    e->loop_id[0] ? "loop %s occurs more than %ld times"
                                  : "segment %s used more than %ld times",
                    e->loop_id[0] ? e->loop_id : s->el[0], e->max);
    v->top = depth;
    if (e->loop_id[0] && depth + 1 < MAX_DEPTH) {
        v->top++;
        v->stk[v->top].loop = e;
        v->stk[v->top].pos = 0;
        v->stk[v->top].count = 1;
    }
}

/* A kept step taken: the frame update, max use and loop push the search would have done. */
static inline __attribute__((always_inline)) void take_step(vctx *v, const dg_x12_seg *s,
                                                            const pstep *st)
{
    frame *f = &v->stk[st->depth];
    if (st->again) {
        f->count++;
    } else {
        f->pos = st->q;
        f->count = 1;
    }
    enter(v, s, st->e, f, st->depth, st->loop_id);
}

/* Places segment s (key: seg_key_of(s), not 0) in the structure by searching from state now
 * (NULL: the automaton is off); returns the definition entry it matched, or NULL (the structure
 * unchanged). Sets v->now to the state after it, and keeps the step in now when its checks could
 * not report. */
static __attribute__((noinline)) const dg_x12_node *
place(vctx *v, const dg_x12_seg *s, uint32_t key, const char **loop_id, pstate *now)
{
    v->now = now;
    const dg_x12_node *top_loop = v->stk[v->top].loop;
    const uint32_t pos_used = frame_pos_used(&v->stk[v->top]);
    unsigned bit = dg_x12_key_bit(key);
    uint64_t word = 1ULL << (bit % 64);
    v->missing_hit = false;
    for (int d = v->top; d >= 0; d--) {
        frame *f = &v->stk[d];
        const dg_x12_node *L = f->loop;
        if (!(L->bloom[bit / 64] & word))
            continue; /* not in this loop at all: try the enclosing one */
        /* a loop's own first segment starts its next iteration: the parent's job */
        size_t q = d > 0 && f->pos == 0 ? 1 : f->pos;
        const uint32_t *keys = L->keys;
        while (q < L->n_body && keys[q] != key)
            q++;
        if (q < L->n_body) {
            const dg_x12_node *e = &L->body[q];
            pop_to(v, d, s);
            const bool again = q == f->pos && f->count > 0;
            if (again) {
                f->count++;
            } else {
                check_missing(v, d, rest_from(f), q, s);
                f->pos = q;
                f->count = 1;
            }
            *loop_id = e->loop_id[0] ? e->loop_id : loop_of(v, d);
            enter(v, s, e, f, d, *loop_id);
            if (now) {
                if (pst.n + 2 > pst_cap) /* room for both states below */
                    pst_clear(pst.serial);
                pstate *from = pst_state(top_loop, pos_used);
                pstate *next = pst_state(v->stk[v->top].loop, frame_pos_used(&v->stk[v->top]));
                if (!v->missing_hit) {
                    const uint32_t k = from->n_kept++ % PSTEPS;
                    from->keys[k] = key;
                    from->step[k] = (pstep){e, *loop_id, next, d, (uint32_t)q, again};
                }
                v->now = next;
            }
            return e;
        }
    }
    return NULL;
}

static void flush_element_problems(vctx *v, const dg_x12_seg *s, const char *loop_id)
{
    if (!v->n_ep)
        return;
    bool errors = false;
    for (int i = 0; i < v->n_ep; i++)
        errors = errors || !v->ep[i].warning;
    if (errors)
        seg_problem(v, "8", s->el[0], s, loop_id, "segment %s has data element errors", s->el[0]);
    for (int i = 0; i < v->n_ep; i++) {
        snprintf(v->ep[i].loop_id, sizeof v->ep[i].loop_id, "%s", loop_id);
        emit(v, &v->ep[i]);
    }
    v->n_ep = 0;
}

/* The last set's definitions, by definitions, GS08 and set id (a group's sets ask the same). */
static _Thread_local struct {
    uint64_t serial;
    bool has_gs;
    char gs08[sizeof((dg_x12_gs *)0)->version], id[sizeof((dg_x12_set *)0)->id];
    const dg_x12_version *ver;
    const dg_x12_set_def *def;
    bool v5010, supported;
} looked_up;

/* Every field before the frames, one by one: as a memset, gcc's rep stos took ~1 % of the
 * validator for these 128 bytes per set. */
static inline void vctx_start(vctx *v, const dg_x12_defs *defs, const dg_x12_set *set,
                              dg_x12_problem_fn cb, void *ctx)
{
    v->defs = defs;
    v->ver = NULL;
    v->set = set;
    v->def = NULL;
    v->d = (dg_x12_delims){0};
    v->v5010 = v->flat = false;
    v->cb = cb;
    v->ctx = ctx;
    v->errors = v->stop = v->top = 0;
    v->hl = NULL;
    v->n_hl = v->cap_hl = 0;
    v->slots = NULL;
    v->cap_slots = 0;
    v->hl_numbered = v->hl_table = v->memo = v->missing_hit = false;
    v->now = NULL;
    v->n_ep = 0;
}

int dg_x12_validate_set(const dg_x12_defs *defs, const dg_x12_set *set, dg_x12_problem_fn cb,
                        void *ctx)
{
    vctx v;
    vctx_start(&v, defs, set, cb, ctx);
    uint64_t serial = dg_x12_defs_serial(defs);
    if (rules_ok.serial != serial || no_flat) {
        memset(&rules_ok, 0, sizeof rules_ok);
        rules_ok.serial = serial;
    }
    if (pst.serial != serial && serial && !no_flat)
        pst_clear(serial);
    if (codes_seen.serial != serial) {
        memset(&codes_seen, 0, sizeof codes_seen);
        codes_seen.serial = serial;
    }
    v.memo = serial && !no_flat;
    const char *gs08 = set->gs ? set->gs->version : "";
    if (!serial || looked_up.serial != serial || no_flat || looked_up.has_gs != (set->gs != NULL) ||
        strcmp(looked_up.gs08, gs08) || strcmp(looked_up.id, set->id)) {
        /* per set these took as long as a segment's checks; a group's sets ask the same */
        looked_up.serial = serial;
        looked_up.has_gs = set->gs != NULL;
        snprintf(looked_up.gs08, sizeof looked_up.gs08, "%s", gs08);
        snprintf(looked_up.id, sizeof looked_up.id, "%s", set->id);
        looked_up.ver = dg_x12_defs_version(defs, gs08);
        looked_up.def = dg_x12_version_set(looked_up.ver, set->id);
        looked_up.v5010 = dg_x12_version_is_5010(looked_up.ver);
        looked_up.supported = !set->gs || dg_x12_defs_supported(defs, gs08);
    }
    v.ver = looked_up.ver;
    v.def = looked_up.def;
    v.d = set->isa ? set->isa->delims : dg_x12_default_delims();
    v.v5010 = looked_up.v5010;
    v.flat = set->padded && set->seg_scan && !no_flat;
    if (!looked_up.supported) {
        /* older than every definition: not checked against a newer version's structures */
        dg_x12_problem p;
        base_problem(&v, &p, DG_X12_LEVEL_SET, "1");
        snprintf(p.seg_id, sizeof p.seg_id, "ST");
        p.file_seg = set->n_segs ? set->segs[0].file_seg : 0;
        p.set_seg = 1;
        snprintf(p.msg, sizeof p.msg,
                 "version %.12s (GS08) is older than any definition in edi/ (lowest %s): "
                 "transaction set %s not supported",
                 set->gs->version, dg_x12_version_name(v.ver), set->id);
        emit(&v, &p);
        return v.stop ? v.stop : v.errors;
    }
    if (v.def && set->gs && v.def->group[0] && strcmp(set->gs->functional_id, v.def->group)) {
        /* a warning: published implementation guides put sets in other groups (004010X357
         * sends its 850s under GS01 SC), and the set itself is checked in full */
        dg_x12_problem p;
        base_problem(&v, &p, DG_X12_LEVEL_SET, "6");
        p.warning = true;
        snprintf(p.seg_id, sizeof p.seg_id, "ST");
        p.file_seg = set->n_segs ? set->segs[0].file_seg : 0;
        p.set_seg = 1;
        p.elem = 1;
        snprintf(p.msg, sizeof p.msg,
                 "transaction set %s belongs in a functional group GS01 %s, not %.2s (edi/ %s "
                 "'group')",
                 set->id, v.def->group, set->gs->functional_id, dg_x12_version_name(v.ver));
        emit(&v, &p);
    }
    if (!v.def) {
        dg_x12_problem p;
        base_problem(&v, &p, DG_X12_LEVEL_SET, "1");
        p.warning = true;
        snprintf(p.seg_id, sizeof p.seg_id, "ST");
        p.file_seg = set->n_segs ? set->segs[0].file_seg : 0;
        p.set_seg = 1;
        snprintf(p.msg, sizeof p.msg,
                 "no definition of transaction set %s for version %s in edi/: envelope checked "
                 "only",
                 set->id, dg_x12_version_name(v.ver));
        emit(&v, &p);
        return v.stop ? v.stop : 0;
    }
    uint32_t hl_key = 0;
    if (v.def->n_hl_levels) {
        hl_key = dg_x12_seg_key("HL");
    }
    v.stk[0].loop = &v.def->root;
    v.stk[0].pos = 0;
    v.stk[0].count = 0;
    pstate *now = v.memo ? pst_start(&v.def->root) : NULL;
    for (size_t i = 0; i < set->n_segs && !v.stop; i++) {
        const dg_x12_seg *s = &set->segs[i];
        if (s->n_el < 0 || !s->el[0][0])
            continue;
        const char *loop_id = "";
        const dg_x12_node *e = NULL;
        const uint32_t key = seg_key_of(s);
        const pstep *step = now && key ? pst_step(now, key) : NULL;
        if (step) {
            e = step->e;
            loop_id = step->loop_id;
            take_step(&v, s, step);
            now = step->next;
        } else if (key) {
            e = place(&v, s, key, &loop_id, now);
            now = v.now;
        }
        if (!e) {
            misfit(&v, s);
            continue;
        }
        check_elements(&v, s, set->seg_scan ? set->seg_scan[i] : 0, e->seg);
        if (hl_key && e->seg->key == hl_key)
            check_hl(&v, s, e->seg);
        flush_element_problems(&v, s, loop_id);
    }
    if (!v.stop) {
        const dg_x12_seg *last = set->n_segs ? &set->segs[set->n_segs - 1] : NULL;
        pop_to(&v, 0, last);
        check_missing(&v, 0, rest_from(&v.stk[0]), v.def->root.n_body, last);
    }
    if (v.hl != v.hl_small)
        free(v.hl);
    if (v.slots != v.slots_small)
        free(v.slots);
    return v.stop ? v.stop : v.errors;
}
