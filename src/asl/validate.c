/*
 * validate: checks that need the whole machine, after its states are parsed.
 *
 *   - every state is reachable from StartAt through Next, Choice rules,
 *     Default and Catch (MISSING_TRANSITION_TARGET, as AWS reports it);
 *   - the machine has a terminal state: Succeed, Fail or End (MISSING_END_STATE);
 *   - state names are 1 to 80 characters (INVALID_STATE_NAME) and unique
 *     across the whole definition, branches and processors included
 *     (DUPLICATE_STATE_NAME).
 * Next targets that name no state are found while parsing (asl_field_target).
 */
#include "asl/asl_internal.h"

#include <stdlib.h>
#include <string.h>

/* Characters (code points) in UTF-8 text. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void asl_validate_name(asl_parser *p, const char *name, const char *loc)
{
	size_t n = utf8_length(name);
	if (n == 0 || n > ASL_MAX_NAME)
		diag_add(p->d, ASL_BAD_NAME, loc,
		         "State names must be 1 to %d characters long; '%s' has %zu", ASL_MAX_NAME, name, n);
	if (json_object_get(p->names, name))
		diag_add(p->d, ASL_DUPLICATE_NAME, loc, "Duplicate state name: '%s'", name);
	else
		json_object_set_new(p->names, name, json_true());
}

/* Marks state i seen and queues it; stack holds the states left to visit. */
static void mark(int i, bool *seen, int *stack, size_t *top)
{
	if (i < 0 || seen[i])
		return;
	seen[i] = true;
	stack[(*top)++] = i;
}

static void visit_successors(const asl_state *s, bool *seen, int *stack, size_t *top)
{
	mark(s->next, seen, stack, top);
	mark(s->default_next, seen, stack, top);
	for (size_t i = 0; i < s->nchoices; i++)
		if (s->choices[i])
			mark(s->choices[i]->next, seen, stack, top);
	for (size_t i = 0; i < s->ncatch; i++)
		mark(s->catch_[i].next, seen, stack, top);
}

static void check_reachable(asl_parser *p, const asl_machine *m, const char *loc)
{
	bool *seen = xcalloc(m->nstates, sizeof *seen);
	int *stack = xcalloc(m->nstates, sizeof *stack);
	size_t top = 0;
	mark(m->start, seen, stack, &top);
	while (top > 0)
		visit_successors(&m->states[stack[--top]], seen, stack, &top);
	char *sloc = asl_loc(loc, "States");
	for (size_t i = 0; i < m->nstates; i++) {
		if (seen[i])
			continue;
		char *at = asl_loc(sloc, m->states[i].name);
		diag_add(p->d, ASL_BAD_TARGET, at, "State '%s' is not reachable", m->states[i].name);
		free(at);
	}
	free(sloc);
	free(stack);
	free(seen);
}

static bool terminal(const asl_state *s)
{
	return s->type == ASL_SUCCEED || s->type == ASL_FAIL || s->end;
}

void asl_validate_machine(asl_parser *p, const asl_machine *m, const char *loc)
{
	if (m->start >= 0)
		check_reachable(p, m, loc);
	for (size_t i = 0; i < m->nstates; i++)
		if (terminal(&m->states[i]))
			return;
	char *at = asl_loc(loc, "States");
	diag_add(p->d, ASL_NO_END, at, "Workflow has no terminal state");
	free(at);
}
