/* names: the rule AWS applies to state machine and execution names. */
#include "asl/asl.h"

#include <string.h>

bool asl_resource_name_valid(const char *name)
{
	size_t chars = 0; /* UTF-8 code points: bytes that do not continue one */
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		chars += (*c & 0xC0) != 0x80;
	if (chars == 0 || chars > 80)
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (*c <= 0x20 || *c == 0x7f || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *c))
			return false;
		/* U+0080..U+009F (C1 controls) are 0xC2 0x80..0x9F in UTF-8 */
		if (c[0] == 0xC2 && c[1] >= 0x80 && c[1] <= 0x9F)
			return false;
	}
	return true;
}
