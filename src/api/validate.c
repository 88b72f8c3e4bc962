/*
 * validate: checks a request's input against the constraints of the API model
 * (model.def, generated from sfn-service-2.json), the way AWS's front end does
 * before an operation runs.
 *
 * Two kinds of failure, as AWS reports them:
 *   - a member of the wrong JSON type (a number where the model says string, an
 *     array where it says structure) fails deserialization: SerializationException;
 *   - a value outside its constraints is collected, all of them, into one
 *     ValidationException: "2 validation errors detected: Value 'x' at 'name'
 *     failed to satisfy constraint: Member must have length less than or equal
 *     to 80; Value null at 'roleArn' failed to satisfy constraint: Member must
 *     not be null". Paths name nested members 'a.b' and list items
 *     'tags.1.member.key' (1-based). Sensitive values are not echoed
 *     ("Value at 'definition' ...").
 * Members the model does not name are ignored, as AWS ignores them; JSON null
 * for an optional member means absent. String lengths count characters (code
 * points), not bytes.
 */
#include "api/ops.h"

#include <string.h>

enum api_kind { STRING, INTEGER, LONG, FLOAT, DOUBLE, BOOLEAN, TIMESTAMP, BLOB, LIST, MAP, STRUCTURE };
enum { HAS_MIN = 1, HAS_MAX = 2, SENSITIVE = 4 };

typedef struct shape {
	const char *name;
	enum api_kind kind;
	int flags;
	double min, max;
	int first, count; /* members (structure) or enum values (string) */
	int elem, key;    /* list member / map value; map key */
} shape;

typedef struct member {
	const char *name;
	int shape;
	bool required;
} member;

static const shape shapes[] = {
#define API_SHAPE(id, kind, flags, min, max, first, count, elem, key) \
	{#id, kind, flags, min, max, first, count, API_SHAPE_##elem, API_SHAPE_##key},
#include "api/model.def"
#undef API_SHAPE
};

static const member members[] = {
#define API_MEMBER(owner, name, shape, required) {name, API_SHAPE_##shape, required},
#include "api/model.def"
#undef API_MEMBER
};

static const char *const enum_values[] = {
#define API_ENUM(owner, value) value,
#include "api/model.def"
#undef API_ENUM
};

static const struct {
	const char *name;
	int input;
} operations[] = {
#define API_OPERATION(name, input) {#name, API_SHAPE_##input},
#include "api/model.def"
#undef API_OPERATION
};

bool api_model_operation(const char *name, int *input_shape)
{
	for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++)
		if (strcmp(operations[i].name, name) == 0) {
			*input_shape = operations[i].input;
			return true;
		}
	return false;
}

/* The problems found so far: "; "-joined messages and how many. */
typedef struct problems {
	char *text;
	int count;
	const char *serialization; /* first type mismatch, static text */
} problems;

static void problem(problems *p, const char *path, json_t *value, bool sensitive, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

/* Renders a value as AWS quotes it in the message: 'text' for strings. */
static char *quote_value(json_t *value, bool sensitive)
{
	if (sensitive)
		return xstrdup("");
	if (!value)
		return xstrdup(" null");
	if (json_is_string(value))
		return xasprintf(" '%s'", json_string_value(value));
	char *t = json_text(value);
	char *q = xasprintf(" '%s'", t);
	free(t);
	return q;
}

static void problem(problems *p, const char *path, json_t *value, bool sensitive, const char *fmt,
                    ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	char *v = quote_value(value, sensitive);
	char *one = xasprintf("Value%s at '%s' failed to satisfy constraint: %s", v, path, what);
	char *all = p->text ? xasprintf("%s; %s", p->text, one) : xstrdup(one);
	free(p->text);
	p->text = all;
	p->count++;
	free(one);
	free(v);
	free(what);
}

static size_t utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *type_mismatch(json_t *v)
{
	if (json_is_object(v))
		return "Start of structure or map found where not expected.";
	if (json_is_array(v))
		return "Start of list found where not expected.";
	return "Unexpected value type found for a member.";
}

/* The JSON type the model's kind needs. */
static bool type_ok(enum api_kind kind, json_t *v)
{
	switch (kind) {
	case STRING:
	case BLOB:
		return json_is_string(v);
	case INTEGER:
	case LONG:
		return json_is_integer(v);
	case FLOAT:
	case DOUBLE:
	case TIMESTAMP:
		return json_is_number(v);
	case BOOLEAN:
		return json_is_boolean(v);
	case LIST:
		return json_is_array(v);
	case MAP:
	case STRUCTURE:
		return json_is_object(v);
	}
	return false;
}

static void check_value(int id, json_t *v, const char *path, problems *p);

static void check_range(const shape *s, double n, const char *unit, const char *path, json_t *v,
                        problems *p)
{
	bool sens = s->flags & SENSITIVE;
	if ((s->flags & HAS_MIN) && n < s->min)
		problem(p, path, v, sens, "Member must have %s greater than or equal to %.15g", unit,
		        s->min);
	if ((s->flags & HAS_MAX) && n > s->max)
		problem(p, path, v, sens, "Member must have %s less than or equal to %.15g", unit,
		        s->max);
}

static void check_enum(const shape *s, json_t *v, const char *path, problems *p)
{
	const char *text = json_string_value(v);
	for (int i = 0; i < s->count; i++)
		if (strcmp(enum_values[s->first + i], text) == 0)
			return;
	char *set = xstrdup("");
	for (int i = 0; i < s->count; i++) {
		char *more = xasprintf("%s%s%s", set, i ? ", " : "", enum_values[s->first + i]);
		free(set);
		set = more;
	}
	problem(p, path, v, s->flags & SENSITIVE, "Member must satisfy enum value set: [%s]", set);
	free(set);
}

static void check_structure(const shape *s, json_t *obj, const char *prefix, problems *p)
{
	for (int i = 0; i < s->count; i++) {
		const member *m = &members[s->first + i];
		json_t *v = json_object_get(obj, m->name);
		char *path = prefix ? xasprintf("%s.%s", prefix, m->name) : xstrdup(m->name);
		if (!v || json_is_null(v)) {
			if (m->required)
				problem(p, path, NULL, false, "Member must not be null");
		} else {
			check_value(m->shape, v, path, p);
		}
		free(path);
	}
}

static void check_list(const shape *s, json_t *list, const char *path, problems *p)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		char *ipath = xasprintf("%s.%zu.member", path, i + 1);
		if (json_is_null(item))
			problem(p, ipath, NULL, false, "Member must not be null");
		else
			check_value(s->elem, item, ipath, p);
		free(ipath);
	}
	check_range(s, (double)json_array_size(list), "length", path, list, p);
}

static void check_map(const shape *s, json_t *map, const char *path, problems *p)
{
	const char *k;
	json_t *v;
	json_object_foreach(map, k, v) {
		char *kpath = xasprintf("%s.%s", path, k);
		if (!json_is_null(v))
			check_value(s->elem, v, kpath, p);
		free(kpath);
	}
	check_range(s, (double)json_object_size(map), "length", path, map, p);
}

static void check_value(int id, json_t *v, const char *path, problems *p)
{
	const shape *s = &shapes[id];
	if (!type_ok(s->kind, v)) {
		if (!p->serialization)
			p->serialization = type_mismatch(v);
		return;
	}
	switch (s->kind) {
	case STRING:
		check_range(s, (double)utf8_length(json_string_value(v), json_string_length(v)),
		            "length", path, v, p);
		if (s->count > 0)
			check_enum(s, v, path, p);
		break;
	case INTEGER:
	case LONG:
		check_range(s, (double)json_integer_value(v), "value", path, v, p);
		break;
	case FLOAT:
	case DOUBLE:
		check_range(s, json_number_value(v), "value", path, v, p);
		break;
	case LIST:
		check_list(s, v, path, p);
		break;
	case MAP:
		check_map(s, v, path, p);
		break;
	case STRUCTURE:
		check_structure(s, v, path, p);
		break;
	default:
		break;
	}
}

int api_validate(int shape_id, json_t *input, api_error *err)
{
	if (shape_id == API_SHAPE_NONE)
		return 0;
	problems p = {0};
	check_structure(&shapes[shape_id], input, NULL, &p);
	int rc = 0;
	if (p.serialization)
		rc = api_fail(err, "SerializationException", "%s", p.serialization);
	else if (p.count == 1)
		rc = api_fail(err, "ValidationException", "1 validation error detected: %s", p.text);
	else if (p.count > 1)
		rc = api_fail(err, "ValidationException", "%d validation errors detected: %s", p.count,
		              p.text);
	free(p.text);
	return rc;
}
