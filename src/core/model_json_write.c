/* Canonical documents -> their JSON form (dg_doc_to_json), pretty or compact: a direct writer
 * over the field tables, deterministic key order, absent fields left out.
 *
 * Why it looks the way it does: translate writes about 2 KB of JSON per order, and the writer
 * was a quarter of `dropgate translate`'s instructions. So everything that depends on the table
 * only is worked out once per kind and form (a "plan": each field's whole key piece with its
 * line break, indentation, quotes and the value's opening quote; each object's opening and
 * closing piece), a record's room is reserved once, and a string value is scanned for its end
 * and for bytes that need escaping in one pass, 16 bytes at a time, while it is copied.
 *
 * Every value is followed by a comma; a closing bracket takes the last one back. So no "is this
 * the first member" state is kept: an object or array is empty exactly when the byte before its
 * closing is its opening bracket. */
#include "core/model_json.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model_fields.h"

#if defined(__SSE2__)
#define JW_VECTOR 1
#include <emmintrin.h>
#else
#define JW_VECTOR 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define JW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JW_ASAN 1
#endif
#endif

/* ---- The plan: what a kind's JSON text is made of, per form --------------------------------- */

/* a field's key piece is copied as 32 bytes: the longest has 32 (a group's pretty
 * "\n        \"quantity_available\": \""); plan_build checks it */
#define JW_KEY 32
/* any other piece of text (a bracket, an object's key) is copied as 32 bytes too: the longest
 * has 29 ("{\n  \"kind\": \"acknowledgment\","); text_set checks it */
#define JW_PIECE 32
#define JW_TEXT 48    /* room for a piece while it is built */
#define JW_FIELDS 128 /* fields of one kind at most */
#define JW_GROUPS 8   /* repeated groups of one kind at most */
#define JW_OBJECTS 16 /* objects (parties) in one kind's body at most */
#define JW_DEC_MAX 24 /* the longest decimal, '-', 15 digits, '.', 4 decimals, with '",' */
#define JW_ROOM 16384 /* room reserved before each record: at least its longest text (checked) */
/* the most one field writes without a check: an object's closing and opening, its key, its
 * value's first 32 bytes (a block, or a decimal's scratch), '",' */
#define JW_FIELD_ROOM (4 * JW_TEXT + 8)

typedef struct {
    char text[JW_TEXT];
    size_t len;
} jw_text;

/* One field as the record loop walks it. */
typedef struct {
    /* its key piece: "\n    \"city\": \"" (the comma is the last value's) */
    _Alignas(16) char key[JW_KEY];
    uint32_t offset; /* of the value in its record */
    /* the 8 bytes at test_at are 0 when the field is absent (a string's pointer; a decimal's
     * `set` and the padding after it). Not 0: a string is present, a decimal if `set` is. */
    uint32_t test_at;
    /* not 0 only in the end mark after each record's run (type JW_END): the record loop's one
     * exit test is the presence test it makes anyway */
    uint64_t end;
    uint8_t type;    /* dg_field_type, or JW_END */
    uint8_t object;  /* 1 + the index of the object (party) it is written in; 0: none */
    uint8_t key_len; /* of its key piece */
} jw_slot;

/* The fields of one record (the body, the source block, or a group's element). */
typedef struct {
    size_t from, to;
} jw_run;

#define JW_END 255 /* the type of a run's end mark */

typedef struct {
    jw_slot slot[JW_FIELDS + JW_GROUPS + 2]; /* each record's run, then its end mark */
    jw_text obj_open[JW_OBJECTS], obj_close[JW_OBJECTS];
    jw_run source, body, group[JW_GROUPS];
    jw_text group_open[JW_GROUPS];
    dg_field_group group_of[JW_GROUPS]; /* where a group's elements and count are */
    size_t n_groups;
    jw_text kind;        /* {"kind":"order", */
    jw_text source_open; /* "source":{ */
    jw_text position;    /* "position": */
    jw_text body_open;   /* "order":{ */
    jw_text item_open;   /* a group element's { */
    jw_text close_source, close_item, close_group, close_body, close_root;
} jw_plan;

/* A piece of text: "\n" and two spaces per level before it in the pretty form. */
static void text_set(jw_text *t, bool pretty, int level, const char *s)
{
    memset(t, 0, sizeof *t);
    int n = pretty && level >= 0 ? snprintf(t->text, sizeof t->text, "\n%*s%s", 2 * level, "", s)
                                 : snprintf(t->text, sizeof t->text, "%s", s);
    if (n < 0 || (size_t)n > JW_PIECE)
        abort(); /* a piece longer than JW_PIECE: a programming error in the tables */
    t->len = (size_t)n;
}

/* "name": followed by what opens its value ('"', '{' or '['), at its level. */
static void text_key(jw_text *t, bool pretty, int level, const char *name, const char *open)
{
    char s[JW_TEXT];
    int n = snprintf(s, sizeof s, "\"%s\":%s%s", name, pretty ? " " : "", open);
    if (n < 0 || (size_t)n >= sizeof s)
        abort(); /* a name too long for any piece: a programming error in the tables */
    text_set(t, pretty, level, s);
}

/* The level of a field's key: the body and source blocks are at 2, a party at 3, a group's
 * element at 4. */
static int field_level(const dg_field *f)
{
    if (f->group == DG_FIELD_SOURCE)
        return 2;
    if (f->group == DG_FIELD_BODY)
        return f->object ? 3 : 2;
    return 4;
}

/* The objects (parties) of the body get numbers by name: a field whose object is the one open
 * stays in it, whatever fields between were absent. */
static uint8_t object_number(jw_plan *p, const char **names, size_t *n, const dg_field *f,
                             bool pretty)
{
    if (!f->object || f->group != DG_FIELD_BODY)
        return 0;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(names[i], f->object))
            return (uint8_t)(i + 1);
    if (*n == JW_OBJECTS)
        abort(); /* more objects than JW_OBJECTS: a programming error in the tables */
    names[*n] = f->object;
    text_key(&p->obj_open[*n], pretty, 2, f->object, "{");
    text_set(&p->obj_close[*n], pretty, 2, "}");
    return (uint8_t)++ * n;
}

/* A record and the pieces written after it before the next room check fit in JW_ROOM. */
static void room_check(jw_run r)
{
    if ((r.to - r.from) * JW_FIELD_ROOM + 8 * JW_TEXT > JW_ROOM)
        abort(); /* a record longer than JW_ROOM: a programming error in the tables */
}

static void plan_build(jw_plan *p, dg_doc_kind kind, bool pretty)
{
    size_t n, ng, n_obj = 0;
    const dg_field *fs = dg_fields_list(kind, &n);
    const dg_field_group *gs = dg_fields_groups(kind, &ng);
    const char *objects[JW_OBJECTS];
    jw_slot fields[JW_FIELDS];
    if (n > JW_FIELDS || ng > JW_GROUPS)
        abort(); /* a table larger than the plan: a programming error */
    memset(p, 0, sizeof *p);
    p->source = p->body = (jw_run){n, n};
    for (size_t g = 0; g < ng; g++)
        p->group[g] = (jw_run){n, n};
    for (size_t i = 0; i < n; i++) {
        const dg_field *f = &fs[i];
        jw_text key;
        text_key(&key, pretty, field_level(f), f->name, "\"");
        if (f->offset > UINT32_MAX)
            abort();
        jw_slot *sl = &fields[i];
        *sl = (jw_slot){0};
        if (key.len > JW_KEY)
            abort(); /* a field name too long for JW_KEY: a programming error in the tables */
        memcpy(sl->key, key.text, JW_KEY);
        sl->key_len = (uint8_t)key.len;
        sl->offset = (uint32_t)f->offset;
        sl->test_at = (uint32_t)(f->offset + (f->type == DG_FIELD_STR ? 0 : offsetof(dg_dec, set)));
        sl->type = (uint8_t)f->type;
        sl->object = object_number(p, objects, &n_obj, f, pretty);
        jw_run *r = f->group == DG_FIELD_SOURCE ? &p->source
                    : f->group == DG_FIELD_BODY ? &p->body
                                                : &p->group[f->group];
        if (r->from == n) /* a record's fields are one run (core_test_model_json checks it) */
            r->from = i;
        r->to = i + 1;
    }
    /* the slots: each record's fields, then an end mark (rec + 0 is inside any record) */
    jw_run *runs[JW_GROUPS + 2] = {&p->source, &p->body};
    size_t k = 0;
    for (size_t g = 0; g < ng; g++)
        runs[2 + g] = &p->group[g];
    for (size_t r = 0; r < 2 + ng; r++) {
        size_t from = k;
        for (size_t i = runs[r]->from; i < runs[r]->to; i++)
            p->slot[k++] = fields[i];
        p->slot[k] = (jw_slot){.end = 1, .type = JW_END};
        *runs[r] = (jw_run){from, k++};
    }
    p->n_groups = ng;
    for (size_t g = 0; g < ng; g++) {
        text_key(&p->group_open[g], pretty, 2, gs[g].name, "[");
        p->group_of[g] = gs[g];
        room_check(p->group[g]);
    }
    room_check(p->body);
    room_check(p->source);
    char head[JW_TEXT];
    snprintf(head, sizeof head, pretty ? "{\n  \"kind\": \"%s\"," : "{\"kind\":\"%s\",",
             dg_doc_kind_name(kind));
    text_set(&p->kind, false, -1, head);
    text_key(&p->source_open, pretty, 1, "source", "{");
    text_key(&p->position, pretty, 2, "position", "");
    text_key(&p->body_open, pretty, 1, dg_doc_kind_name(kind), "{");
    text_set(&p->item_open, pretty, 3, "{");
    text_set(&p->close_source, pretty, 1, "}");
    text_set(&p->close_item, pretty, 3, "}");
    text_set(&p->close_group, pretty, 2, "]");
    text_set(&p->close_body, pretty, 1, "}");
    text_set(&p->close_root, pretty, 0, "}");
}

/* Plans are built on first use (each costs about as much as writing a hundred documents),
 * under a lock: several threads may write JSON. */
#define JW_KINDS (DG_DOC_STATUS + 1)
static jw_plan jw_plans[JW_KINDS][2];
static _Atomic bool jw_plan_ready[JW_KINDS][2];
static pthread_mutex_t jw_plan_lock = PTHREAD_MUTEX_INITIALIZER;

static const jw_plan *plan_of(dg_doc_kind kind, bool pretty)
{
    if (kind <= DG_DOC_NONE || kind >= JW_KINDS)
        return NULL;
    if (!atomic_load_explicit(&jw_plan_ready[kind][pretty], memory_order_acquire)) {
        size_t n;
        if (!dg_fields_list(kind, &n))
            return NULL;
        pthread_mutex_lock(&jw_plan_lock);
        if (!atomic_load_explicit(&jw_plan_ready[kind][pretty], memory_order_relaxed)) {
            plan_build(&jw_plans[kind][pretty], kind, pretty);
            atomic_store_explicit(&jw_plan_ready[kind][pretty], true, memory_order_release);
        }
        pthread_mutex_unlock(&jw_plan_lock);
    }
    return &jw_plans[kind][pretty];
}

/* ---- Output room --------------------------------------------------------------------------- */

/* Where the text goes: o, with room up to limit + JW_ROOM (limit is JW_ROOM before the buffer's
 * end). Each record starts with o <= limit, so its keys, brackets, decimals and each value's
 * first 16 bytes are written without a check; longer values check per 16 bytes. */
typedef struct {
    char *o, *limit;
} jw_cur;

static jw_cur cur_at(dg_buf *b, size_t len)
{
    return (jw_cur){b->data + len, b->data + b->cap - 1 - JW_ROOM};
}

/* Grows the buffer so that c.o <= c.limit again (out of line: once per 16 KiB or so). */
__attribute__((noinline)) static jw_cur cur_grow(dg_buf *b, jw_cur c)
{
    size_t len = (size_t)(c.o - b->data);
    b->len = len;
    dg_buf_reserve(b, JW_ROOM + 1);
    return cur_at(b, len);
}

static inline jw_cur cur_room(dg_buf *b, jw_cur c)
{
    return __builtin_expect(c.o > c.limit, 0) ? cur_grow(b, c) : c;
}

/* Copies a piece as JW_PIECE bytes (the room allows it; what is past its length is overwritten
 * next). */
static inline char *put_text(char *o, const jw_text *t)
{
    memcpy(o, t->text, JW_PIECE);
    return o + t->len;
}

/* Closes an object or array that has members: the last one's comma gives way to the closing
 * piece. The comma after it is for a sibling. */
static inline char *put_close(char *o, const jw_text *t)
{
    o = put_text(o - 1, t);
    *o++ = ',';
    return o;
}

/* Closes one that may be empty: empty exactly when nothing was written since its opening
 * bracket, which ends at offset opened of the buffer; then it is closed right after it. (The
 * offset, not a look at the byte before: that byte was just stored, often by a narrower store,
 * and reading it back waited for the store.) */
static inline char *put_close_empty(char *o, const jw_text *t)
{
    *o++ = t->text[t->len - 1];
    *o++ = ',';
    return o;
}

static inline char *put_close_any(const dg_buf *b, char *o, size_t opened, const jw_text *t)
{
    return (size_t)(o - b->data) != opened ? put_close(o, t) : put_close_empty(o, t);
}

/* ---- Values ------------------------------------------------------------------------------- */

/* Bytes JSON strings escape: controls (NUL among them, which ends the value), '"' and '\\'. */
static inline bool special(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* The plain scan: the number of bytes before s's first special byte. */
static size_t clean_len_plain(const char *s)
{
    size_t n = 0;
    while (!special((unsigned char)s[n]))
        n++;
    return n;
}

#if JW_VECTOR
/* The vector scan reads whole aligned 16-byte blocks, which may hold bytes before a string's
 * start or past its end, but never outside its page (so it cannot fault). AddressSanitizer would
 * report those bytes: its builds load the blocks where it does not look, and check every store
 * of the writer as usual. */
#ifdef JW_ASAN
#define JW_LOAD __attribute__((no_sanitize_address, noinline)) static
#else
#define JW_LOAD static inline
#endif
JW_LOAD __m128i load16(const char *p)
{
    return _mm_load_si128((const __m128i *)(const void *)p);
}

/* 16 bytes from p, which need not be aligned: only where both aligned blocks they touch hold
 * bytes of the value (so they are inside its allocation when that is made of whole 16-byte
 * blocks, as the arena's are). */
JW_LOAD __m128i loadu16(const char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* A 16-bit mask of the special bytes of v. */
static inline unsigned special16(__m128i v)
{
    /* controls and '"' in one signed compare: with bit 1 flipped, '"' (0x22) becomes 0x20 and
     * the controls stay below it, while nothing else falls to 0x20 or below; with bit 7 flipped
     * too, exactly those bytes are below (signed) 0x21 ^ 0x80 */
    __m128i flipped = _mm_xor_si128(v, _mm_set1_epi8((char)0x82));
    __m128i ctl_quote = _mm_cmplt_epi8(flipped, _mm_set1_epi8((char)(0x21 ^ 0x80)));
    __m128i bslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl_quote, bslash));
}

/* The offset of the first set bit of m below 16, else 16 (the marker bit keeps ctz defined). */
static inline size_t first16(unsigned m)
{
    return (unsigned)__builtin_ctz(m | 0x10000); /* unsigned: no sign extension */
}

/* clean_len_plain 16 bytes at a time: aligned blocks (so nothing past the page of the string's
 * end is read), the first one shifted to start at s. */
static size_t clean_len_vector(const char *s)
{
    size_t skew = (uintptr_t)s & 15;
    const char *a = s - skew;
    unsigned m = special16(load16(a)) >> skew;
    size_t n = first16(m | 1u << (16 - skew));
    if (n < 16 - skew)
        return n;
    for (n = 16 - skew;; n += 16) {
        size_t at = first16(special16(load16(s + n)));
        if (at < 16)
            return n + at;
    }
}
#endif

size_t dg_json_debug_clean_len(const char *s, bool plain)
{
#if JW_VECTOR
    if (!plain)
        return clean_len_vector(s);
#endif
    return clean_len_plain(s);
}

/* Copies n bytes (room reserved) with overlapping 16-, 8-, 4- or 1-byte moves: values are
 * short. */
static inline void copy_short(char *d, const char *s, size_t n)
{
    if (n >= 16) { /* 16 at a time, the last 16 overlapping */
        char x[16];
        for (size_t i = 0; i + 16 < n; i += 16) {
            memcpy(x, s + i, 16);
            memcpy(d + i, x, 16);
        }
        memcpy(x, s + n - 16, 16);
        memcpy(d + n - 16, x, 16);
    } else if (n >= 8) {
        uint64_t x;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, s + i, 8);
            memcpy(d + i, &x, 8);
        }
        memcpy(&x, s + n - 8, 8);
        memcpy(d + n - 8, &x, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        memcpy(d, &lo, 4);
        memcpy(d + n - 4, &hi, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* Copies s to o up to its first special byte and returns that byte's offset n: s[n] == '\0'
 * means the value is done; otherwise (a byte to escape, or a value that would end past
 * o + spare after its first 16 bytes) the caller writes it the general way. Values from the
 * arena (dg_arena_strndup) start on 16 bytes and fill their last 16-byte slot: their blocks are
 * copied as they are scanned. */
static inline size_t copy_clean(char *o, const char *s, ptrdiff_t spare)
{
#if JW_VECTOR
    if (((uintptr_t)s & 15) == 0) {
        for (size_t i = 0;; i += 16) {
            __m128i v = load16(s + i);
            _mm_storeu_si128((__m128i *)(void *)(o + i), v);
            size_t at = first16(special16(v));
            if (at < 16)
                return i + at;
            if ((ptrdiff_t)i + 32 > spare)
                return i + 16; /* done if s[i + 16] ends it, else the general way */
        }
    }
    size_t n = clean_len_vector(s);
#else
    size_t n = clean_len_plain(s);
#endif
    if (n > 16 && (ptrdiff_t)n > spare)
        return 0; /* s[0] is not special: the general way */
    copy_short(o, s, n);
    return n;
}

/* The general way for a string value (escapes, or longer than the room): written through the
 * buffer from o, where the opening quote was written. */
__attribute__((noinline)) static jw_cur put_string_general(dg_buf *b, jw_cur c, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(s);
    b->len = (size_t)(c.o - b->data);
    dg_buf_reserve(b, 6 * len + 2);
    char *o = b->data + b->len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (!special(*p)) {
            *o++ = (char)*p;
            continue;
        }
        *o++ = '\\';
        switch (*p) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            memcpy(o, "u00", 3);
            o[3] = hex[*p >> 4];
            o[4] = hex[*p & 15];
            o += 5;
        }
    }
    *o++ = '"';
    *o++ = ',';
    return cur_room(b, cur_at(b, (size_t)(o - b->data)));
}

/* The closing quote and the comma after a string value of n bytes. */
static inline jw_cur end_string(jw_cur c, size_t n)
{
    memcpy(c.o + n, "\",", 2);
    c.o += n + 2;
    return c;
}

/* A string value after its opening quote, with its closing quote and comma. Its first 16 bytes
 * are in the field's room; more only while the record's room stays whole (c.o <= c.limit). */
__attribute__((noinline)) static jw_cur put_string_rest(dg_buf *b, jw_cur c, const char *s)
{
    size_t n = copy_clean(c.o, s, c.limit - c.o);
    if (s[n] != '\0')
        return put_string_general(b, c, s);
    return end_string(c, n);
}

#if JW_VECTOR
/* The 16 bytes of v from byte skew on (the rest zeros), stored at o: two words shifted. */
static inline void store_from(char *o, __m128i v, size_t skew)
{
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(v);
    uint64_t hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
    unsigned __int128 x = ((unsigned __int128)hi << 64 | lo) >> (8 * skew);
    memcpy(o, &x, 16);
}

/* A value that starts on 16 bytes, as the mapping's and the arena's do, and ends in its first
 * two blocks without an escape: each block is stored as it was scanned (the room holds 32
 * bytes), no shift, no second load. Anything else goes the general way. */
static inline jw_cur put_string_aligned(dg_buf *b, jw_cur c, const char *s)
{
    __m128i v = load16(s);
    _mm_storeu_si128((__m128i *)(void *)c.o, v);
    unsigned m = special16(v);
    size_t n;
    if (__builtin_expect(m != 0, 1)) {
        n = (unsigned)__builtin_ctz(m);
    } else { /* 16 bytes or more: the second block */
        v = load16(s + 16);
        _mm_storeu_si128((__m128i *)(void *)(c.o + 16), v);
        n = 16 + first16(special16(v)); /* 32 when neither block ends it: done if s[32] does */
    }
    if (__builtin_expect(s[n] == '\0', 1))
        return end_string(c, n);
    return put_string_rest(b, c, s);
}
#endif

/* put_string_rest with the usual case inline: a value that ends in the two aligned 16-byte
 * blocks from its start (16 to 31 bytes) and needs no escape. The second block is read only
 * when the value goes on into it. A value in one block is copied from the register it was
 * scanned in, shifted to start at the value; one in both blocks with unaligned moves inside
 * them (its first 16 bytes and its last 16). */
static inline __attribute__((always_inline)) jw_cur put_string(dg_buf *b, jw_cur c, const char *s)
{
#if JW_VECTOR
    size_t skew = (uintptr_t)s & 15;
    if (__builtin_expect(skew == 0, 1)) /* the mapping's and the arena's values */
        return put_string_aligned(b, c, s);
    const char *a = s - skew;
    __m128i v = load16(a);
    size_t n = first16(special16(v) >> skew);
    if (__builtin_expect(n < 16 - skew, 1)) {
        if (__builtin_expect(s[n] == '\0', 1)) {
            store_from(c.o, v, skew);
            return end_string(c, n);
        }
    } else {
        __m128i w = load16(a + 16);
        n = 16 - skew + first16(special16(w));
        if (__builtin_expect(n < 32 - skew && s[n] == '\0', 1)) {
            _mm_storeu_si128((__m128i *)(void *)c.o, loadu16(s));
            if (n > 16)
                _mm_storeu_si128((__m128i *)(void *)(c.o + n - 16), loadu16(s + n - 16));
            return end_string(c, n);
        }
    }
#endif
    return put_string_rest(b, c, s);
}

/* "00" to "99": two digits per lookup. */
static const char jw_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* The two digits of v < 100 as they lie in memory (a register, not a byte array: a value built
 * from byte or 2-byte stores and read back wider waits for the stores to drain, a store
 * forwarding stall, which showed as the writer's hottest instruction). */
static inline uint16_t pair_of(unsigned v)
{
    uint16_t d;
    memcpy(&d, jw_pairs + 2 * v, 2);
    return d;
}

static const uint64_t jw_pow10[20] = {1ULL,
                                      10ULL,
                                      100ULL,
                                      1000ULL,
                                      10000ULL,
                                      100000ULL,
                                      1000000ULL,
                                      10000000ULL,
                                      100000000ULL,
                                      1000000000ULL,
                                      10000000000ULL,
                                      100000000000ULL,
                                      1000000000000ULL,
                                      10000000000000ULL,
                                      100000000000000ULL,
                                      1000000000000000ULL,
                                      10000000000000000ULL,
                                      100000000000000000ULL,
                                      1000000000000000000ULL,
                                      10000000000000000000ULL};

/* The digits of v at o (up to 20; the room allows 24 bytes); returns their end. They are
 * written in place from the last two on (no scratch copied afterwards: see pair_of). */
static inline char *put_uint(char *o, uint64_t v)
{
    if (v < 10) {
        *o = (char)('0' + v);
        return o + 1;
    }
    if (v < 100) {
        uint16_t d = pair_of((unsigned)v);
        memcpy(o, &d, 2);
        return o + 2;
    }
    size_t n = 3;
    while (n < 20 && v >= jw_pow10[n])
        n++;
    char *e = o + n, *q = e;
    for (; v >= 100; v /= 100) {
        uint16_t d = pair_of((unsigned)(v % 100));
        q -= 2;
        memcpy(q, &d, 2);
    }
    if (v >= 10) {
        uint16_t d = pair_of((unsigned)v);
        memcpy(q - 2, &d, 2);
    } else {
        q[-1] = (char)('0' + v);
    }
    return e;
}

/* A decimal after its opening quote: the shortest exact text, with at least two decimals for
 * money ("12.50"), what dg_field_text gives (core_test_model_json decimals_like_field_text
 * compares the two); then '",'. The four decimals are written at once and cut after the last
 * one that is not 0. */
static inline char *put_dec(char *o, dg_dec d, bool money)
{
    uint64_t v = d.v < 0 ? (uint64_t)0 - (uint64_t)d.v : (uint64_t)d.v;
    unsigned frac = (unsigned)(v % DG_DEC_SCALE);
    *o = '-';
    o += d.v < 0;
    o = put_uint(o, v / DG_DEC_SCALE);
    if (frac || money) {
        /* the four digits in a register (see pair_of); little-endian: the last on top */
        uint32_t digits = (uint32_t)pair_of(frac / 100) | (uint32_t)pair_of(frac % 100) << 16;
        uint32_t not_zero = digits ^ 0x30303030u;
        unsigned places = not_zero ? 4 - (unsigned)__builtin_clz(not_zero) / 8 : 0;
        *o = '.';
        memcpy(o + 1, &digits, 4);
        o += 1 + (money && places < 2 ? 2 : places);
    }
    memcpy(o, "\",", 2);
    return o + 2;
}

/* ---- Records ------------------------------------------------------------------------------- */

/* A present field's key piece (a whole JW_KEY copy; the value overwrites what is past it). */
static inline char *put_key_flat(const jw_slot *f, char *o)
{
    memcpy(o, f->key, JW_KEY);
    return o + f->key_len;
}

/* A present body field's key after its object's opening (and the closing of the one open
 * before). */
static inline char *put_key(const jw_plan *p, const jw_slot *f, char *o, unsigned *open)
{
    if (__builtin_expect(f->object != *open, 0)) {
        if (*open)
            o = put_close(o, &p->obj_close[*open - 1]);
        if (f->object)
            o = put_text(o, &p->obj_open[f->object - 1]);
        *open = f->object;
    }
    return put_key_flat(f, o);
}

/* Writes the present fields of record rec (a run of the plan; an absent field costs a load and
 * a test), each followed by a comma. With objects (the body), fields of a party go into its
 * object, opened before its first present field and closed after its last; the source block's
 * and the groups' fields are in none (object_number), so their loop does not ask. */
static inline __attribute__((always_inline)) jw_cur
put_fields(const jw_plan *p, const jw_run *run, const char *rec, dg_buf *b, jw_cur c, bool objects)
{
    unsigned open = 0;
    c = cur_room(b, c);
    for (const jw_slot *f = p->slot + run->from;; f++) {
        uint64_t test;
        memcpy(&test, rec + f->test_at, sizeof test);
        test |= f->end; /* a string's pointer stays as it is (end is 0) */
        if (!test)
            continue;
        if (f->type == DG_FIELD_STR) { /* test is the string's pointer */
            c.o = objects ? put_key(p, f, c.o, &open) : put_key_flat(f, c.o);
            c = put_string(b, c, (const char *)(uintptr_t)test);
        } else if (f->type == JW_END) {
            break;
        } else {
            dg_dec d;
            memcpy(&d, rec + f->offset, sizeof d);
            if (!d.set)
                continue;
            c.o = objects ? put_key(p, f, c.o, &open) : put_key_flat(f, c.o);
            c.o = put_dec(c.o, d, f->type == DG_FIELD_MONEY);
        }
    }
    if (objects && open)
        c.o = put_close(c.o, &p->obj_close[open - 1]);
    return c;
}

/* The two loops out of line (inlined, the body's made gcc call put_string out of line). */
__attribute__((noinline)) static jw_cur put_body(const jw_plan *p, const jw_run *run,
                                                 const char *rec, dg_buf *b, jw_cur c)
{
    return put_fields(p, run, rec, b, c, true);
}

__attribute__((noinline)) static jw_cur put_record(const jw_plan *p, const jw_run *run,
                                                   const char *rec, dg_buf *b, jw_cur c)
{
    return put_fields(p, run, rec, b, c, false);
}

/* The source block's "position" (a line or segment number), then '," */
static char *put_position(const jw_plan *p, char *o, long position)
{
    o = put_text(o, &p->position);
    o = put_uint(o, (uint64_t)position);
    *o++ = ',';
    return o;
}

int dg_doc_to_json(const dg_doc *cdoc, int flags, dg_buf *out, dg_error *err)
{
    const jw_plan *p = plan_of(cdoc->kind, (flags & DG_JSON_PRETTY) != 0);
    if (!p)
        return dg_error_set(err, DG_EINVAL, "JSON: document has no kind");
    dg_doc *doc = (dg_doc *)cdoc; /* record access is read-only here */
    dg_buf_reserve(out, JW_ROOM + 1);
    jw_cur c = cur_at(out, out->len);
    c.o = put_text(c.o, &p->kind);
    c.o = put_text(c.o, &p->source_open);
    size_t opened = (size_t)(c.o - out->data);
    c = put_record(p, &p->source, (const char *)&doc->source, out, c);
    if (doc->source.position > 0)
        c.o = put_position(p, c.o, doc->source.position);
    c.o = put_close_any(out, c.o, opened, &p->close_source);
    c.o = put_text(c.o, &p->body_open);
    size_t body_opened = (size_t)(c.o - out->data);
    c = put_body(p, &p->body, (const char *)&doc->u, out, c);
    for (size_t g = 0; g < p->n_groups; g++) {
        const dg_field_group *gr = &p->group_of[g];
        const char *body = (const char *)&doc->u, *items;
        size_t cnt, size = gr->elem_size;
        memcpy(&cnt, body + gr->n_off, sizeof cnt);
        memcpy(&items, body + gr->items_off, sizeof items);
        c = cur_room(out, c);
        c.o = put_text(c.o, &p->group_open[g]);
        for (size_t i = 0; i < cnt; i++) {
            c = cur_room(out, c);
            c.o = put_text(c.o, &p->item_open);
            opened = (size_t)(c.o - out->data);
            c = put_record(p, &p->group[g], items + i * size, out, c);
            c.o = put_close_any(out, c.o, opened, &p->close_item);
        }
        c.o = cnt ? put_close(c.o, &p->close_group) : put_close_empty(c.o, &p->close_group);
    }
    c.o = put_close_any(out, c.o, body_opened, &p->close_body);
    c.o = put_close(c.o, &p->close_root) - 1; /* never empty ("kind"); no sibling: no comma */
    *c.o = '\0';
    out->len = (size_t)(c.o - out->data);
    return 0;
}
