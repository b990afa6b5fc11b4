/* Compiled JSON paths, shared by the evaluator (path.c) and the streaming reader (stream.c). */
#ifndef DG_JSON_INTERNAL_H
#define DG_JSON_INTERNAL_H

#include "json/json.h"

enum { ST_MEMBER, ST_INDEX, ST_ALL, ST_FILTER };

typedef struct json_step {
    int kind;
    const char *name; /* ST_MEMBER */
    long index;       /* ST_INDEX */
    /* ST_FILTER: [?(@.sub op 'lit')] */
    const dg_json_path *sub;
    const char *lit;
    size_t lit_len;
    bool not_equal;
} json_step;

struct dg_json_path {
    const char *text;
    bool relative; /* starts with @ */
    json_step *steps;
    size_t n;
};

#endif
