/* json: helpers over jansson values shared by every layer. */
#include "base/base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- compact serialization ----
 * Our own writer rather than json_dumps: numbers must print as AWS prints them
 * (the shortest text that reads back as the same double: 1.1, not
 * 1.1000000000000001), and json_text_size must not allocate. */
typedef struct out {
	char *buf; /* NULL: count only */
	size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->buf || o->cap) {
		if (o->len + n + 1 > o->cap) {
			while (o->len + n + 1 > o->cap)
				o->cap = o->cap ? o->cap * 2 : 256;
			o->buf = xrealloc(o->buf, o->cap);
		}
		memcpy(o->buf + o->len, s, n);
	}
	o->len += n;
}

static void put_real(out *o, double d)
{
	char tmp[40];
	if (isnan(d) || isinf(d)) {
		put(o, "null", 4);
		return;
	}
	/* %g drops trailing zeros, so 15 digits already give the shortest text for
	 * every value that has one that short; only the rest need 16 or 17 */
	int n = 0;
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (prec == 17 || strtod(tmp, NULL) == d)
			break;
	}
	put(o, tmp, (size_t)n);
	if (!strpbrk(tmp, ".eEn"))
		put(o, ".0", 2);
}

static void put_string(out *o, const char *s, size_t n)
{
	put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", c);
				esc = u;
			}
		}
		if (!esc)
			continue;
		put(o, s + run, i - run);
		put(o, esc, strlen(esc));
		run = i + 1;
	}
	put(o, s + run, n - run);
	put(o, "\"", 1);
}

static void put_value(out *o, const json_t *v)
{
	char tmp[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *item;
		bool first = true;
		put(o, "{", 1);
		json_object_foreach((json_t *)v, k, item) {
			if (!first)
				put(o, ",", 1);
			first = false;
			put_string(o, k, strlen(k));
			put(o, ":", 1);
			put_value(o, item);
		}
		put(o, "}", 1);
		break;
	}
	case JSON_ARRAY:
		put(o, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				put(o, ",", 1);
			put_value(o, json_array_get(v, i));
		}
		put(o, "]", 1);
		break;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
		                             json_integer_value(v)));
		break;
	case JSON_REAL:
		put_real(o, json_real_value(v));
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	default:
		put(o, "null", 4);
	}
}

char *json_text(const json_t *v)
{
	out o = {.cap = 1};
	o.buf = xmalloc(64);
	o.cap = 64;
	put_value(&o, v ? v : json_null());
	o.buf[o.len] = '\0';
	return o.buf;
}

size_t json_text_size(const json_t *v)
{
	out o = {0};
	put_value(&o, v ? v : json_null());
	return o.len;
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
