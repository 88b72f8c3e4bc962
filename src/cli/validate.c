/* validate: `stepd validate DEFINITION`, AWS's ValidateStateMachineDefinition locally. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_validate(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: stepd validate DEFINITION\n");
		return CLI_USAGE;
	}
	size_t len;
	char *text = cli_read_file(argv[1], &len);
	if (!text)
		return CLI_USAGE;
	diag d = {0};
	asl_machine *m = asl_machine_parse(text, len, &d);
	free(text);
	int rc = 0;
	if (m) {
		printf("%s: OK\n", argv[1]);
		asl_machine_free(m);
	} else {
		cli_print_diag(argv[1], &d);
		fprintf(stderr, "%zu problem%s\n", d.count, d.count == 1 ? "" : "s");
		rc = 1;
	}
	diag_close(&d);
	return rc;
}
