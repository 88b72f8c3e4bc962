/*
 * cli: the stepd command. The only code that prints to a terminal or exits.
 *
 *   main.c      command table and dispatch
 *   run.c       stepd run: one execution in memory
 *   validate.c  stepd validate: static checks of a definition
 *   serve.c     stepd serve: the Step Functions API over a durable store
 *   common.c    reading files, loading definitions, printing diagnostics
 *
 * Exit codes: 0 success, 1 the execution failed / the definition is invalid
 * (validate), 2 usage error or an invalid definition (run).
 */
#ifndef STEPD_CLI_H
#define STEPD_CLI_H

#include "asl/asl.h"

#define CLI_USAGE 2

int cli_run(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_serve(int argc, char **argv);

/* Reads a whole file; returns malloc'd bytes (NUL-terminated) and the length, or
 * NULL after printing "stepd: PATH: reason" to stderr. */
char *cli_read_file(const char *path, size_t *len);
/* Loads and validates a definition file; on failure prints every diagnostic and
 * returns NULL. */
asl_machine *cli_load_machine(const char *path);
/* Prints diagnostics, one per line: "LOCATION: CODE: message". */
void cli_print_diag(const char *path, const diag *d);

#endif
