/* json: helpers over jansson values shared by every layer. */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_FLAGS (JSON_ENCODE_ANY | JSON_COMPACT)

char *json_text(const json_t *v)
{
	char *s = json_dumps(v, TEXT_FLAGS);
	if (!s)
		s = xstrdup("null");
	return s;
}

static int count_bytes(const char *buffer, size_t size, void *data)
{
	*(size_t *)data += size;
	return 0;
}

size_t json_text_size(const json_t *v)
{
	size_t n = 0;
	json_dump_callback(v, count_bytes, &n, TEXT_FLAGS);
	return n;
}

bool json_value_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		size_t n = json_array_size(a);
		if (n != json_array_size(b))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!json_value_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !json_value_equal(v, w))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

json_t *json_parse(const char *text, size_t len, char *err, size_t errsize)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!v && err)
		snprintf(err, errsize, "%s at line %d column %d", e.text, e.line, e.column);
	return v;
}
