/*
 * jsonx.h - jansson helpers: bounded parsing and typed, located getters.
 *
 * Errors read the way a user fixes them: "invalid JSON at line 3, column 7:
 * ...", "field 'replicas' must be an integer, not a string". A caller deep
 * in a document adds where with err_wrap ("services[2]: field ..."). Never
 * logs; allocates only through jansson.
 */
#ifndef ORCA_BASE_JSONX_H
#define ORCA_BASE_JSONX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * Parses data[0..len) (NULs included) into a new reference the caller
 * decrefs. Errors: ERR_TOOBIG when len > max_bytes; ERR_INVALID for an
 * empty document, a syntax error (with jansson's line, column and text),
 * a duplicate object key, or nesting deeper than jansson's limit.
 */
json_t *jsonx_parse(const char *data, size_t len, size_t max_bytes,
		    struct err *e);

enum { JSONX_OPTIONAL = 0, JSONX_REQUIRED = 1 };

/*
 * Field getters on an object. Return 0 with *out set; 1 when the field is
 * absent or null and flags is JSONX_OPTIONAL (*out untouched); ERR_INVALID
 * "missing field 'x'" or "field 'x' must be an integer, not a string".
 * Strings, objects and arrays are borrowed from obj.
 */
int jsonx_get_int(const json_t *obj, const char *field, int flags,
		  int64_t *out, struct err *e);
/* The same, and "field 'x' must be between MIN and MAX" when out of range. */
int jsonx_get_int_range(const json_t *obj, const char *field, int flags,
			int64_t min, int64_t max, int64_t *out, struct err *e);
/* An integer or a real. */
int jsonx_get_number(const json_t *obj, const char *field, int flags,
		     double *out, struct err *e);
int jsonx_get_bool(const json_t *obj, const char *field, int flags, int *out,
		   struct err *e);
int jsonx_get_string(const json_t *obj, const char *field, int flags,
		     const char **out, struct err *e);
int jsonx_get_object(const json_t *obj, const char *field, int flags,
		     json_t **out, struct err *e);
int jsonx_get_array(const json_t *obj, const char *field, int flags,
		    json_t **out, struct err *e);

/* ERR_INVALID unless j is an object: "WHAT must be a JSON object, not an
 * array". */
int jsonx_expect_object(const json_t *j, const char *what, struct err *e);
/*
 * ERR_INVALID "unknown field 'replica' (did you mean 'replicas'?)" for the
 * first key of obj not in allowed (NULL-terminated).
 */
int jsonx_check_fields(const json_t *obj, const char *const *allowed,
		       struct err *e);
/* "an integer", "a string", "null", ... for messages. */
const char *jsonx_type_name(const json_t *j);
/* Appends j in compact form to b. Returns 0 or ERR_FAIL. */
int jsonx_dump(const json_t *j, struct buf *b);

#endif
