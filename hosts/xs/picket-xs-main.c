/*
 * picket-xs entry point and the few globals the host runtime offers (see picket-xs.c).
 * Written against the public xs.h API only. TextEncoder and TextDecoder are Moddable's
 * (modules/data/text), as a Moddable build that includes them provides.
 */
#include "xs.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern int picketRunMain(xsMachine* the, const char* path);
extern int picketAddModuleMap(char* argument);
extern void fxInitializeSharedCluster(void);
extern void fxTerminateSharedCluster(void);
extern void modInstallTextEncoder(xsMachine* the);
extern void modInstallTextDecoder(xsMachine* the);

static void printArguments(xsMachine* the, int newline)
{
	int count = xsToInteger(xsArgc);
	for (int i = 0; i < count; i++) {
		if (i)
			fputc(' ', stdout);
		fputs(xsToString(xsArg(i)), stdout);
	}
	if (newline)
		fputc('\n', stdout);
	fflush(stdout);
}

static void xs_print(xsMachine* the) { printArguments(the, 1); }
static void xs_trace(xsMachine* the) { printArguments(the, 0); }

static void xs_performance_now(xsMachine* the)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	xsResult = xsNumber(((double)now.tv_sec * 1000.0) + ((double)now.tv_nsec / 1000000.0));
}

static void defineGlobals(xsMachine* the, int argc, char** argv)
{
	xsBeginHost(the);
	{
		xsVars(2);
		xsVar(0) = xsNewHostFunction(xs_print, 1);
		xsSet(xsGlobal, xsID("print"), xsVar(0));
		xsVar(0) = xsNewHostFunction(xs_trace, 1);
		xsSet(xsGlobal, xsID("trace"), xsVar(0));
		xsVar(0) = xsNewObject();
		xsVar(1) = xsNewHostFunction(xs_performance_now, 0);
		xsSet(xsVar(0), xsID("now"), xsVar(1));
		xsSet(xsGlobal, xsID("performance"), xsVar(0));
		xsVar(0) = xsNewArray(0);
		for (int i = 0; i < argc; i++)
			xsCall1(xsVar(0), xsID("push"), xsString(argv[i]));
		xsSet(xsGlobal, xsID("scriptArgs"), xsVar(0));
	}
	xsEndHost(the);
}

static int usage(void)
{
	fprintf(stderr, "usage: picket-xs [--map PREFIX=DIRECTORY]... MODULE.js [ARGUMENT]...\n");
	return 2;
}

int main(int argc, char** argv)
{
	xsCreation creation = {
		16 * 1024 * 1024, /* initialChunkSize */
		4 * 1024 * 1024, /* incrementalChunkSize */
		1024 * 1024, /* initialHeapCount */
		256 * 1024, /* incrementalHeapCount */
		16384, /* stackCount */
		32000, /* initialKeyCount */
		8000, /* incrementalKeyCount */
		1993, /* nameModulo */
		127, /* symbolModulo */
		1024 * 1024, /* parserBufferSize */
		1993, /* parserTableModulo */
	};
	char path[PATH_MAX];
	int argi = 1;
	while ((argi < argc) && !strcmp(argv[argi], "--map")) {
		if ((argi + 1 >= argc) || !picketAddModuleMap(argv[argi + 1]))
			return usage();
		argi += 2;
	}
	if (argi >= argc)
		return usage();
	if (!realpath(argv[argi], path)) {
		fprintf(stderr, "picket-xs: cannot find %s\n", argv[argi]);
		return 2;
	}
	fxInitializeSharedCluster();
	xsMachine* machine = xsCreateMachine(&creation, "picket-xs", NULL);
	defineGlobals(machine, argc - argi - 1, argv + argi + 1);
	modInstallTextEncoder(machine);
	modInstallTextDecoder(machine);
	int status = picketRunMain(machine, path);
	xsDeleteMachine(machine);
	fxTerminateSharedCluster();
	return status;
}
