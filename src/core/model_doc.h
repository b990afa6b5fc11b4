/* What each canonical field means, for mapping authors: the reference `dropgate fields` prints
 * and mappings/README.md carries (generated; tests/integration/test_fields_reference.sh checks
 * that the README and the model agree). */
#ifndef DG_CORE_MODEL_DOC_H
#define DG_CORE_MODEL_DOC_H

#include "core/buf.h"
#include "core/model.h"
#include "core/model_fields.h"

/* The meaning of field f of kind (a party field's meaning is its object's plus the part's), or
 * NULL when the field has none written: every field must have one (test_model_doc). */
const char *dg_field_meaning(dg_doc_kind kind, const dg_field *f);
/* Type as the reference names it: "text", "quantity", "money". */
const char *dg_field_type_name(dg_field_type t);
/* The whole reference as Markdown (the mappings/README.md section). Returns the number of
 * fields without a meaning (0 when complete; they are listed as "(no meaning written)"). */
size_t dg_fields_markdown(dg_buf *out);

#endif
