/*
 * The process environment for the Moddable simulator (lin, mac): which instance this mcsim
 * process is (its Preference folder, its UDP station) comes from variables set by whoever
 * launched it, since every instance of one build loads the same mc.so.
 */
#include <stdlib.h>

#include "xsmc.h"

/* environmentVariable(name): the variable's value, or undefined when it is unset. */
void xs_picket_environment_variable(xsMachine *the)
{
	const char *value = getenv(xsmcToString(xsArg(0)));
	if (value != NULL)
		xsmcSetString(xsResult, (char *)value);
}
