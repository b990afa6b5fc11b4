/* X12 outbound against the element dictionary (edi/): makes one rendered segment valid before
 * it is written, or says why it cannot be (the rules are listed in mappings/README.md). */
#include <stdio.h>
#include <string.h>

#include "map/map_internal.h"

static bool has(char *const *els, int n, int pos)
{
    return pos >= 1 && pos <= n && els[pos - 1][0];
}

static void clear(char **els, int n, int pos)
{
    if (pos >= 1 && pos <= n)
        els[pos - 1][0] = '\0';
}

/* Characters, not bytes: a UTF-8 sequence is one (as the validator counts). */
static size_t chars(const char *s)
{
    size_t k = 0;
    for (; *s; s++)
        k += ((unsigned char)*s & 0xc0) != 0x80;
    return k;
}

/* Cuts s after max characters, never inside a UTF-8 sequence. */
static void cut_chars(char *s, int max)
{
    int k = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80 && k++ == max) {
            *p = '\0';
            return;
        }
    }
}

/* Trailing blanks go (a value of blanks is empty): scrubbed delimiters must not make a value. */
static void trim_right(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
}

/* One pass of the syntax notes that can be met by leaving values out: a pair with one half
 * (P), a conditional whose condition has no partner (C, L), two exclusive values (E). Returns
 * whether something was cleared. */
static bool apply_rules(const dg_x12_seg_def *sd, char **els, int n)
{
    bool changed = false;
    for (int r = 0; r < sd->n_rules; r++) {
        const dg_x12_rule *ru = &sd->rules[r];
        int present = 0;
        for (int k = 0; k < ru->n; k++)
            present += has(els, n, ru->pos[k]);
        bool first = has(els, n, ru->pos[0]);
        switch (ru->kind) {
        case 'P':
            if (present && present < ru->n) {
                for (int k = 0; k < ru->n; k++)
                    clear(els, n, ru->pos[k]);
                changed = true;
            }
            break;
        case 'C':
            if (first && present < ru->n) {
                clear(els, n, ru->pos[0]);
                changed = true;
            }
            break;
        case 'L':
            if (first && present == 1 && ru->n > 1) {
                clear(els, n, ru->pos[0]);
                changed = true;
            }
            break;
        case 'E':
            for (int k = 0, seen = 0; k < ru->n; k++) {
                if (!has(els, n, ru->pos[k]))
                    continue;
                if (seen++) {
                    clear(els, n, ru->pos[k]);
                    changed = true;
                }
            }
            break;
        default: break;
        }
    }
    return changed;
}

/* Whether the segment can stand: every mandatory element and one of each R group present;
 * else why says what is missing. */
static bool complete(const dg_x12_seg_def *sd, char *const *els, int n, char *why, size_t size)
{
    bool any = false;
    for (int i = 0; i < n; i++)
        any |= els[i][0] != '\0';
    if (!any) {
        snprintf(why, size, "it has no values");
        return false;
    }
    for (int p = 1; p <= sd->n_elems; p++) {
        const dg_x12_elem_use *u = &sd->elems[p - 1];
        if (u->usage == 'M' && !has(els, n, p)) {
            snprintf(why, size, "its mandatory %s%02d (%s) is empty", sd->id, p,
                     u->elem && u->elem->name ? u->elem->name : "element");
            return false;
        }
    }
    for (int r = 0; r < sd->n_rules; r++) {
        const dg_x12_rule *ru = &sd->rules[r];
        if (ru->kind != 'R')
            continue;
        bool one = false;
        for (int k = 0; k < ru->n; k++)
            one |= has(els, n, ru->pos[k]);
        if (!one) {
            snprintf(why, size, "syntax rule %s needs one of its elements", ru->text);
            return false;
        }
    }
    return true;
}

static bool number_ok(const char *s, bool decimal)
{
    if (*s == '-')
        s++;
    int digits = 0, dots = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.' && decimal)
            dots++;
        else
            return false;
    }
    return digits > 0 && dots <= 1;
}

static int digits_of(const char *s)
{
    int k = 0;
    for (; *s; s++)
        k += *s >= '0' && *s <= '9';
    return k;
}

/* Fits one simple value to its definition: text is cut to its maximum and padded with blanks
 * to its minimum (as X12 pads AN); a code, number, date or time that does not fit is an error
 * naming the element, never a segment the partner would reject. */
static int fit_value(const dg_x12_seg_def *sd, int pos, const dg_x12_elem_def *e, char *v,
                     dg_error *err)
{
    const char *why = NULL;
    switch (e->type) {
    case DG_X12_AN: {
        cut_chars(v, e->max);
        size_t k = chars(v);
        if ((int)k < e->min) { /* the buffer holds MAP_X12_PAD spare bytes per value */
            size_t len = strlen(v);
            int pad = e->min - (int)k;
            if (pad > MAP_X12_PAD)
                pad = MAP_X12_PAD;
            memset(v + len, ' ', (size_t)pad);
            v[len + (size_t)pad] = '\0';
        }
        return 0;
    }
    case DG_X12_ID:
        if ((int)chars(v) < e->min || (int)chars(v) > e->max)
            why = "has the wrong length for this code";
        else if (e->codes && !e->codes_open && !dg_x12_code_fast(e, v, strlen(v), false))
            why = "is not a valid code";
        break;
    case DG_X12_N:
    case DG_X12_R:
        if (!number_ok(v, e->type == DG_X12_R))
            why = e->type == DG_X12_R ? "is not a decimal number" : "is not an integer";
        else if (digits_of(v) > e->max)
            why = "has too many digits";
        break;
    case DG_X12_DT:
        if ((int)strlen(v) < e->min || (int)strlen(v) > e->max || !number_ok(v, false))
            why = "is not a date";
        break;
    case DG_X12_TM:
        if (strlen(v) < 4 || strlen(v) > 8 || !number_ok(v, false))
            why = "is not a time";
        break;
    default: return 0;
    }
    if (!why)
        return 0;
    return dg_error_set(err, DG_EMAP, "%s%02d (%s, %d-%d characters) '%.40s' %s", sd->id, pos,
                        e->name ? e->name : e->ref, e->min, e->max, v, why);
}

int map_x12_tidy(const dg_x12_seg_def *sd, char **els, int *n, bool *write, char *why,
                 size_t why_size, dg_error *err)
{
    *write = false;
    for (int i = 0; i < *n; i++)
        trim_right(els[i]);
    if (sd->n_elems < 0) { /* defined by structure only: just drop it when it is empty */
        for (int i = 0; i < *n; i++)
            *write |= els[i][0] != '\0';
        return 0;
    }
    for (int pass = 0; pass < 4 && apply_rules(sd, els, *n); pass++)
        ;
    if (!complete(sd, els, *n, why, why_size))
        return 0; /* a segment without its required values: not written */
    for (int p = 1; p <= *n && p <= sd->n_elems; p++) {
        const dg_x12_elem_use *u = &sd->elems[p - 1];
        if (!els[p - 1][0] || !u->elem)
            continue;
        int rc = fit_value(sd, p, u->elem, els[p - 1], err);
        if (rc)
            return rc;
    }
    while (*n > 0 && !els[*n - 1][0])
        (*n)--;
    *write = true;
    return 0;
}
