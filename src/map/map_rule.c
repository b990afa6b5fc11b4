/* The rule engine: transforms a rule applies to a value on its way into the canonical model
 * (trim, default, code table, case, dates, numbers) and back out of it, plus error messages. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "map/map_internal.h"

const char *map_pos_text(const map_pos *pos, char *buf, size_t size)
{
    if (!pos || !pos->unit)
        snprintf(buf, size, "?");
    else if (pos->detail)
        snprintf(buf, size, "%s %ld %s", pos->unit, pos->n, pos->detail);
    else
        snprintf(buf, size, "%s %ld", pos->unit, pos->n);
    return buf;
}

int map_err(dg_error *err, int code, const map_rule *r, const map_pos *pos, const char *fmt, ...)
{
    char msg[600], where[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (pos)
        return dg_error_set(err, code, "%s:%d rule '%s': %s (input %s)", r->file, r->line, r->label,
                            msg, map_pos_text(pos, where, sizeof where));
    return dg_error_set(err, code, "%s:%d rule '%s': %s", r->file, r->line, r->label, msg);
}

/* ---- dates and times ---------------------------------------------------------------------- */

typedef struct {
    int y, mo, d, h, mi, s;
} tm_parts;

int map_days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int month_from_name(const char *s, size_t len, size_t *used)
{
    static const char *names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
    if (len < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (!strncasecmp(s, names[i], 3)) {
            size_t k = 3;
            while (k < len && isalpha((unsigned char)s[k]))
                k++;
            *used = k;
            return i + 1;
        }
    return 0;
}

/* Parses s against a strftime-like pattern (%Y %y %m %d %H %M %S %b %p, literal text).
 * Numbers take up to their width in digits, so "%m/%d/%Y" reads "3/7/2024" and "%Y%m%d"
 * reads "20240307". Text after the pattern is allowed only after a space or 'T' (a time). */
static int parse_pattern(const char *pat, const char *s, size_t len, tm_parts *t)
{
    size_t i = 0;
    bool pm = false, am = false;
    for (const char *p = pat; *p; p++) {
        if (*p != '%') {
            if (i >= len || s[i] != *p)
                return -1;
            i++;
            continue;
        }
        char c = *++p;
        if (c == 'b' || c == 'B') {
            size_t used = 0;
            int mo = month_from_name(s + i, len - i, &used);
            if (!mo)
                return -1;
            t->mo = mo;
            i += used;
            continue;
        }
        if (c == 'p') {
            if (i + 2 > len)
                return -1;
            pm = !strncasecmp(s + i, "PM", 2);
            am = !strncasecmp(s + i, "AM", 2);
            if (!pm && !am)
                return -1;
            i += 2;
            continue;
        }
        int width = c == 'Y' ? 4 : 2, v = 0, nd = 0;
        while (nd < width && i < len && isdigit((unsigned char)s[i])) {
            v = v * 10 + (s[i++] - '0');
            nd++;
        }
        if (nd == 0 || (c == 'Y' && nd != 4))
            return -1;
        switch (c) {
        case 'Y': t->y = v; break;
        case 'y': t->y = v < 70 ? 2000 + v : 1900 + v; break;
        case 'm': t->mo = v; break;
        case 'd': t->d = v; break;
        case 'H': t->h = v; break;
        case 'M': t->mi = v; break;
        case 'S': t->s = v; break;
        default: return -1;
        }
    }
    size_t pl = strlen(pat);
    if (i + 2 <= len && pl >= 2 && !strcmp(pat + pl - 2, "%M") && isdigit((unsigned char)s[i]) &&
        isdigit((unsigned char)s[i + 1])) { /* HHMM reads X12's HHMMSS and HHMMSSDD too */
        t->s = (s[i] - '0') * 10 + (s[i + 1] - '0');
        i += 2;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i < len && s[i] != ' ' && s[i] != 'T')
        return -1;
    if (pm && t->h < 12)
        t->h += 12;
    if (am && t->h == 12)
        t->h = 0;
    return 0;
}

static bool date_ok(const tm_parts *t)
{
    return t->y >= 1900 && t->y <= 2999 && t->mo >= 1 && t->mo <= 12 && t->d >= 1 &&
           t->d <= map_days_in_month(t->y, t->mo);
}

static bool time_ok(const tm_parts *t)
{
    return t->h >= 0 && t->h <= 23 && t->mi >= 0 && t->mi <= 59 && t->s >= 0 && t->s <= 60;
}

static void format_pattern(const char *pat, const tm_parts *t, dg_buf *out)
{
    for (const char *p = pat; *p; p++) {
        if (*p != '%' || !p[1]) {
            dg_buf_putc(out, *p);
            continue;
        }
        switch (*++p) {
        case 'Y': dg_buf_printf(out, "%04d", t->y); break;
        case 'y': dg_buf_printf(out, "%02d", t->y % 100); break;
        case 'm': dg_buf_printf(out, "%02d", t->mo); break;
        case 'd': dg_buf_printf(out, "%02d", t->d); break;
        case 'H': dg_buf_printf(out, "%02d", t->h); break;
        case 'M': dg_buf_printf(out, "%02d", t->mi); break;
        case 'S': dg_buf_printf(out, "%02d", t->s); break;
        default: dg_buf_putc(out, *p);
        }
    }
}

/* ---- inbound ------------------------------------------------------------------------------- */

bool map_table_reference;

void map_table_index(dg_arena *a, map_table *t)
{
    uint32_t size = 8;
    while (size < 2 * t->n + 2)
        size *= 2;
    t->hmask = size - 1;
    t->hidx = dg_arena_alloc(a, size * sizeof *t->hidx);
    for (size_t i = 0; i < t->n; i++) {
        if (!t->kpack[i])
            continue; /* longer than 8 bytes (or empty): found by the scan */
        uint32_t h = map_table_slot(t->kpack[i], t->klens[i], t->hmask);
        while (t->hidx[h] && !(t->klens[t->hidx[h] - 1] == t->klens[i] &&
                               t->kpack[t->hidx[h] - 1] == t->kpack[i]))
            h = (h + 1) & t->hmask;
        if (!t->hidx[h]) /* a key equal to an earlier one (case aside) never wins: the first does */
            t->hidx[h] = (uint32_t)i + 1;
    }
}

const char *map_table_find(const map_table *t, const char *s, size_t len)
{
    uint64_t k = len <= 8 && t->kpack ? map_fold8(s, len) : 0;
    if (k && t->hidx && !map_table_reference) {
        /* the first entry with this length and packed key, as the scan below finds it: keys of
         * up to 8 bytes all have their kpack, and a code of len <= 8 bytes can match no other */
        for (uint32_t h = map_table_slot(k, len, t->hmask);; h = (h + 1) & t->hmask) {
            uint32_t i = t->hidx[h];
            if (!i)
                return t->dflt;
            if (t->klens[i - 1] == len && t->kpack[i - 1] == k)
                return t->vals[i - 1];
        }
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->klens[i] == len && (k ? t->kpack[i] == k : !strncasecmp(t->keys[i], s, len)))
            return t->vals[i];
    return t->dflt;
}

static const char *lookup(const map_table *t, const char *s, size_t len)
{
    return map_table_find(t, s, len);
}

/* strchr(set, c) != NULL without the call (set is a rule's few 'strip' characters; as strchr,
 * a NUL byte counts as in the set). */
static inline bool in_set(const char *set, char c)
{
    if (!c)
        return true;
    for (; *set; set++)
        if (*set == c)
            return true;
    return false;
}

static int parse_number(const map_rule *r, const char *s, size_t len, dg_dec *out)
{
    if (!r->strip && !r->thou_sep && !r->dec_sep && len && !memchr(s, ' ', len))
        return dg_dec_parse(s, len, r->implied, out); /* nothing to take out: as it is */
    char tmp[128];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if ((r->strip && in_set(r->strip, c)) || (r->thou_sep && c == r->thou_sep) || c == ' ')
            continue;
        if (r->dec_sep && c == r->dec_sep)
            c = '.';
        else if (r->dec_sep && r->dec_sep != '.' && c == '.')
            return DG_EPARSE;
        if (k + 1 >= sizeof tmp)
            return DG_EPARSE;
        tmp[k++] = c;
    }
    if (k == 0)
        return DG_EPARSE;
    return dg_dec_parse(tmp, k, r->implied, out);
}

int map_apply_any(const dg_mapping *m, const map_rule *r, const char *const *vals,
                  const size_t *lens, size_t n, dg_doc *doc, void *rec, const map_pos *pos,
                  dg_error *err)
{
    (void)m;
    const char *s = NULL;
    size_t len = 0;
    if (r->cnst) {
        s = r->cnst;
        len = strlen(s);
    } else if (n == 1) {
        s = vals[0];
        len = vals[0] ? lens[0] : 0;
    } else if (r->first) {
        for (size_t i = 0; i < n && !len; i++) {
            s = vals[i];
            len = s ? lens[i] : 0;
            while (len && map_is_space(*s))
                s++, len--;
        }
    } else if (n > 1) { /* concatenation: non-empty sources joined */
        size_t total = 0, jl = r->join ? strlen(r->join) : 0;
        for (size_t i = 0; i < n; i++)
            total += (vals[i] ? lens[i] : 0) + jl;
        char *p = dg_arena_alloc(doc->arena, total + 1);
        for (size_t i = 0; i < n; i++) {
            const char *v = vals[i];
            size_t l = v ? lens[i] : 0;
            map_trim(&v, &l);
            if (!l)
                continue;
            if (len && jl) {
                memcpy(p + len, r->join, jl);
                len += jl;
            }
            memcpy(p + len, v, l);
            len += l;
        }
        s = p;
    }
    if (s && r->trim)
        map_trim(&s, &len);
    if (s && len > r->max_bytes)
        return map_err(err, DG_EMAP, r, pos,
                       "value is %zu bytes, longer than the %zu allowed (set max_bytes on this "
                       "rule to accept longer values)",
                       len, r->max_bytes);
    if (!s || !len) {
        if (r->dflt) {
            s = r->dflt;
            len = strlen(s);
        } else if (r->required) {
            return map_err(err, DG_EMAP, r, pos, "required field missing");
        } else {
            return 0;
        }
    }
    if (r->table) {
        const char *v = lookup(r->table, s, len);
        if (v) {
            s = v;
            len = strlen(v);
        } else if (r->table_strict) {
            return map_err(err, DG_EMAP, r, pos, "code '%.*s' is not in table '%s'", (int)len, s,
                           r->table->name);
        }
    }
    const dg_field *f = r->field;
    if (f->type != DG_FIELD_STR) {
        int rc = parse_number(r, s, len, dg_field_dec(rec, f));
        if (rc == DG_EVALID) /* dg_dec_parse: well formed but out of range */
            return map_err(err, DG_EMAP, r, pos, "'%.*s' is too large (limit 922337203685477)",
                           (int)len, s);
        if (rc)
            return map_err(err, DG_EMAP, r, pos, "'%.*s' is not a number", (int)len, s);
        return 0;
    }
    if (r->date || r->time) {
        tm_parts t = {0};
        const char *pat = r->date ? r->date : r->time;
        if (r->date && !strcmp(pat, "%Y%m%d") && len == 6) /* X12 before 4010: YYMMDD */
            pat = "%y%m%d";
        bool ok = parse_pattern(pat, s, len, &t) == 0 && (r->date ? date_ok(&t) : time_ok(&t));
        if (!ok)
            return map_err(err, DG_EMAP, r, pos, "'%.*s' is not a %s in format '%s'", (int)len, s,
                           r->date ? "date" : "time", r->date ? r->date : r->time);
        /* canonical YYYY-MM-DD / HH:MM:SS, written by hand: this runs for every date read */
        int v[3] = {r->date ? t.y : t.h, r->date ? t.mo : t.mi, r->date ? t.d : t.s};
        char *o = dg_arena_alloc(doc->arena, r->date ? 11 : 9), *q = o;
        if (r->date) {
            *q++ = (char)('0' + v[0] / 1000);
            *q++ = (char)('0' + v[0] / 100 % 10);
        }
        for (int k = 0; k < 3; k++) {
            if (k)
                *q++ = r->date ? '-' : ':';
            *q++ = (char)('0' + v[k] / 10 % 10);
            *q++ = (char)('0' + v[k] % 10);
        }
        *q = '\0';
        *dg_field_str(rec, f) = o;
        return 0;
    }
    if (r->strip) { /* text: strip those characters from both ends ("#1001" -> "1001") */
        while (len && in_set(r->strip, *s))
            s++, len--;
        while (len && in_set(r->strip, s[len - 1]))
            len--;
    }
    char *v = dg_arena_strndup(doc->arena, s, len);
    if (r->case_ != MAP_CASE_NONE)
        for (char *p = v; *p; p++)
            *p = (char)(r->case_ == MAP_CASE_UPPER ? toupper((unsigned char)*p)
                                                   : tolower((unsigned char)*p));
    *dg_field_str(rec, f) = v;
    return 0;
}

bool map_group_finish(const map_group *g, dg_doc *doc, size_t idx)
{
    void *rec = dg_fields_record(doc, g->group, idx);
    if (g->unique) {
        char b1[64], b2[64];
        const char *nv = dg_field_text(rec, g->unique, b1, sizeof b1);
        for (size_t i = 0; nv && i < idx; i++) {
            const char *ov =
                dg_field_text(dg_fields_record(doc, g->group, i), g->unique, b2, sizeof b2);
            if (ov && !strcmp(ov, nv)) { /* one package per tracking number, say */
                size_t ng;
                const dg_field_group *gr = &dg_fields_groups(doc->kind, &ng)[g->group];
                *(size_t *)(void *)((char *)&doc->u + gr->n_off) -= 1;
                return false;
            }
        }
    }
    if (g->number && !*dg_field_str(rec, g->number)) {
        char tmp[24], *p = tmp + sizeof tmp;
        size_t v = idx + 1;
        *--p = '\0';
        do {
            *--p = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        *dg_field_str(rec, g->number) =
            dg_arena_strndup(doc->arena, p, (size_t)(tmp + sizeof tmp - 1 - p));
    }
    return true;
}

/* ---- outbound ------------------------------------------------------------------------------ */

void *map_out_record(const map_out_ctx *c, const dg_field *f)
{
    if (f->group == DG_FIELD_BODY || f->group == DG_FIELD_SOURCE)
        return dg_fields_record(c->doc, f->group, 0);
    if (f->group == c->group)
        return dg_fields_record(c->doc, f->group, c->idx);
    if (f->group == c->outer_group)
        return dg_fields_record(c->doc, f->group, c->outer_idx);
    return NULL;
}

static bool rec_matches(const map_out *o, const char *cv, void *prec)
{
    char b2[64];
    for (int p = 0; cv && prec && p < 2 && o->match_parent[p]; p++) {
        const char *pv = dg_field_text(prec, o->match_parent[p], b2, sizeof b2);
        if (pv && !strcmp(pv, cv))
            return true;
    }
    return false;
}

/* match: the element belongs to the enclosing one (an item of this package); with unmatched,
 * it belongs to none of that group (items in no package), so nothing is left out. */
bool map_out_matches(const map_out *o, const map_out_ctx *c, size_t k)
{
    if (!o->match_child)
        return true;
    char b1[64];
    const char *cv =
        dg_field_text(dg_fields_record(c->doc, o->each, k), o->match_child, b1, sizeof b1);
    if (o->unmatched < 0)
        return rec_matches(o, cv, map_out_record(c, o->match_parent[0]));
    size_t n = dg_fields_count(c->doc, o->unmatched);
    for (size_t i = 0; cv && i < n; i++)
        if (rec_matches(o, cv, dg_fields_record(c->doc, o->unmatched, i)))
            return false;
    return true;
}

/* The date or time the file is written, ISO: the caller's (X12 envelope date/time), else now. */
static const char *file_stamp(const map_out_ctx *c, bool date, char *buf, size_t size)
{
    const char *given = date ? c->file_date : c->file_time;
    if (given)
        return given;
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    strftime(buf, size, date ? "%Y-%m-%d" : "%H:%M:%S", &t);
    return buf;
}

/* Raw text of a placeholder before transforms; NULL when absent. */
static const char *raw_value(const map_rule *r, int special, const dg_field *field,
                             const map_out_ctx *c, char *buf, size_t size, dg_dec *num)
{
    num->set = false;
    switch (special) {
    case MAP_SPECIAL_FILE_DATE:
    case MAP_SPECIAL_FILE_TIME: return file_stamp(c, special == MAP_SPECIAL_FILE_DATE, buf, size);
    case MAP_SPECIAL_INDEX: snprintf(buf, size, "%zu", c->idx + 1); return buf;
    case MAP_SPECIAL_COUNT:
        snprintf(buf, size, "%zu", dg_fields_count(c->doc, r->special_group));
        return buf;
    case MAP_SPECIAL_SUM: {
        dg_dec sum = dg_dec_from_int(0);
        size_t n = dg_fields_count(c->doc, field->group);
        for (size_t i = 0; i < n; i++)
            sum = dg_dec_add(sum, *dg_field_dec(dg_fields_record(c->doc, field->group, i), field));
        *num = sum;
        return dg_dec_format(sum, buf, size);
    }
    case MAP_SPECIAL_HL: snprintf(buf, size, "%ld", c->hl_self); return buf;
    case MAP_SPECIAL_HL_COUNT: snprintf(buf, size, "%ld", c->hl_count); return buf;
    case MAP_SPECIAL_HL_PARENT:
        if (c->hl_parent <= 0)
            return NULL;
        snprintf(buf, size, "%ld", c->hl_parent);
        return buf;
    default: break;
    }
    void *rec = map_out_record(c, field);
    if (!rec)
        return NULL;
    if (field->type != DG_FIELD_STR)
        *num = *dg_field_dec(rec, field);
    return dg_field_text(rec, field, buf, size);
}

static int render_rule(const dg_mapping *m, const map_rule *r, const map_out_ctx *c, dg_buf *out,
                       dg_error *err)
{
    (void)m;
    char buf[128];
    dg_dec num;
    size_t nf;
    const dg_field *key = dg_fields_list(c->doc->kind, &nf); /* order_number, shipment_id ... */
    map_pos pos = {"document", (long)c->doc_no, nf ? *dg_field_str(&c->doc->u, key) : NULL};
    const char *v =
        r->cnst ? r->cnst : raw_value(r, r->special, r->field, c, buf, sizeof buf, &num);
    for (int pass = 0; pass < 2; pass++) {
        if (v && r->trim) {
            while (map_is_space(*v))
                v++;
            if (!*v)
                v = NULL;
        }
        if ((v && *v) || pass || (!r->alt_field && !r->alt_special))
            break;
        v = raw_value(r, r->alt_special, r->alt_field, c, buf, sizeof buf, &num); /* or:NAME */
    }
    size_t start = out->len;
    if (!v || !*v) { /* a default is already in the partner's format */
        if (!r->dflt && r->required)
            return map_err(err, DG_EMAP, r, &pos, "required field missing");
        if (r->dflt)
            dg_buf_puts(out, r->dflt);
        return 0;
    }
    if (num.set && r->sign_neg) {
        dg_buf_puts(out, num.v < 0 ? r->sign_neg : r->sign_pos);
        return 0;
    }
    if (num.set && r->abs)
        num = dg_dec_abs(num);
    if ((r->date || r->time) && !r->cnst) {
        tm_parts t = {0};
        size_t vl = strlen(v);
        int rc = r->date
                     ? parse_pattern("%Y-%m-%d", v, vl, &t)
                     : (parse_pattern("%H:%M:%S", v, vl, &t) && parse_pattern("%H:%M", v, vl, &t));
        if (rc || (r->date && !date_ok(&t)))
            return map_err(err, DG_EMAP, r, &pos, "'%s' is not an ISO %s", v,
                           r->date ? "date (YYYY-MM-DD)" : "time (HH:MM:SS)");
        format_pattern(r->date ? r->date : r->time, &t, out);
    } else if (num.set && r->implied > 0) {
        int64_t v4 = num.v, mul = 1;
        for (int k = 0; k < r->implied; k++)
            mul *= 10;
        __int128 scaled = (__int128)v4 * mul;
        int64_t q = (int64_t)(scaled / DG_DEC_SCALE), rem = (int64_t)(scaled % DG_DEC_SCALE);
        if (rem * 2 >= DG_DEC_SCALE)
            q++;
        else if (rem * 2 <= -DG_DEC_SCALE)
            q--;
        dg_buf_printf(out, "%lld", (long long)q);
    } else if (num.set && r->places >= 0) {
        dg_buf_puts(out, dg_dec_format_fixed(num, r->places, buf, sizeof buf));
    } else if (num.set && r->abs) {
        char nb[64];
        dg_buf_puts(out, r->field->type == DG_FIELD_MONEY && num.v % 100 == 0
                             ? dg_dec_format_fixed(num, 2, nb, sizeof nb)
                             : dg_dec_format(num, nb, sizeof nb));
    } else {
        const char *t = r->table ? lookup(r->table, v, strlen(v)) : NULL;
        if (r->table && !t && r->table_strict)
            return map_err(err, DG_EMAP, r, &pos, "code '%s' is not in table '%s'", v,
                           r->table->name);
        if (r->table && !t && r->table_known)
            return 1; /* map_render empties the whole value */
        dg_buf_puts(out, t ? t : v);
    }
    if (r->case_ != MAP_CASE_NONE)
        for (size_t i = start; i < out->len; i++)
            out->data[i] =
                (char)(r->case_ == MAP_CASE_UPPER ? toupper((unsigned char)out->data[i])
                                                  : tolower((unsigned char)out->data[i]));
    if (r->max_len && out->len - start > r->max_len) {
        out->len = start + r->max_len;
        out->data[out->len] = '\0';
    }
    return 0;
}

int map_render(const dg_mapping *m, const map_tpl *t, const map_out_ctx *c, dg_buf *out,
               dg_error *err)
{
    size_t start = out->len;
    for (size_t i = 0; i < t->n; i++) {
        const map_tpl_part *p = &t->parts[i];
        if (!p->rule) {
            dg_buf_puts(out, p->lit);
            continue;
        }
        int rc = render_rule(m, p->rule, c, out, err);
        if (rc == 1) { /* "known" and a code not in the table: no value at all */
            out->len = start;
            if (out->data)
                out->data[start] = '\0';
            return 0;
        }
        if (rc)
            return rc;
    }
    return 0;
}
