/*
 * picket-xs: the XS engine on the host, for Picket's portable tests, benchmarks and the
 * simulator. It runs one ES module and resolves imports the way the firmware build does:
 *
 *   picket-xs [--map PREFIX=DIRECTORY]... MODULE.js [ARGUMENT]...
 *
 * - Bare specifiers are mapped by the longest matching --map prefix (test/support/xs-runner.ts
 *   derives the maps from package.json "exports", the same table Node uses); ".js" is
 *   appended when missing, as Moddable's module names carry no extension.
 * - Relative specifiers resolve against the importing file.
 * - Native functions are bound as on the device: a module declares
 *   `function f() @ "xs_name";` and the C function xs_name, linked into this executable,
 *   is found by its symbol name (mcconfig's linker does the same by generating a table).
 *
 * Globals: print(...) (line to stdout), trace(...) (no newline, as Moddable's trace),
 * scriptArgs (the ARGUMENTs), performance.now() (monotonic ms, for benchmarks only), and
 * Moddable's TextEncoder and TextDecoder (picket-xs-main.c).
 * Exit status: 0, or 1 when the module or a promise job throws.
 */
#include "xsAll.h"
#include "xsScript.h"
#include <dlfcn.h>
#include <limits.h>

#define mxMaxMaps 16

typedef struct {
	const char* prefix;
	const char* directory;
} txModuleMap;

static txModuleMap gxMaps[mxMaxMaps];
static int gxMapCount = 0;
static txScript* gxBindingScript = NULL;
static int gxFailed = 0;

static void fxBindHostFunctions(txMachine* the);
static txScript* fxLoadScriptFile(txMachine* the, txString path);

void fxAbort(txMachine* the, int status)
{
	switch (status) {
	case XS_UNHANDLED_REJECTION_EXIT:
		fprintf(stderr, "picket-xs: unhandled rejection: %s\n", fxToString(the, &mxException));
		mxException = mxUndefined;
		gxFailed = 1;
		return;
	case XS_UNHANDLED_EXCEPTION_EXIT:
		fprintf(stderr, "picket-xs: unhandled exception: %s\n", fxToString(the, &mxException));
		break;
	case XS_STACK_OVERFLOW_EXIT:
		fprintf(stderr, "picket-xs: stack overflow\n");
		break;
	case XS_NOT_ENOUGH_MEMORY_EXIT:
		fprintf(stderr, "picket-xs: memory full\n");
		break;
	case XS_NO_MORE_KEYS_EXIT:
		fprintf(stderr, "picket-xs: not enough keys\n");
		break;
	default:
		fprintf(stderr, "picket-xs: abort %d\n", status);
		break;
	}
	the->abortStatus = status;
	fxExitToHost(the);
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

static void fxRunPromiseLoop(txMachine* the)
{
	while (the->promiseJobs) {
		the->promiseJobs = 0;
		fxRunPromiseJobs(the);
	}
	fxEndJob(the);
	fxCheckUnhandledRejections(the, 1);
}

static int fxResolveMapped(const char* name, char* path, size_t size)
{
	const txModuleMap* best = NULL;
	size_t bestLength = 0;
	for (int i = 0; i < gxMapCount; i++) {
		size_t length = strlen(gxMaps[i].prefix);
		if ((length > bestLength) && !strncmp(name, gxMaps[i].prefix, length)) {
			best = &gxMaps[i];
			bestLength = length;
		}
	}
	if (!best)
		return 0;
	const char* rest = name + bestLength;
	size_t restLength = strlen(rest);
	int hasExtension = (restLength >= 3) && !strcmp(rest + restLength - 3, ".js");
	if (snprintf(path, size, "%s%s%s", best->directory, rest, hasExtension ? "" : ".js") >= (int)size)
		return 0;
	return 1;
}

txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	char name[PATH_MAX];
	char path[PATH_MAX];
	char real[PATH_MAX];
	fxToStringBuffer(the, slot, name, sizeof(name));
	if (!strncmp(name, "./", 2) || !strncmp(name, "../", 3)) {
		if (moduleID == XS_NO_ID)
			return XS_NO_ID;
		char* slash;
		snprintf(path, sizeof(path), "%s", fxGetKeyName(the, moduleID));
		slash = strrchr(path, '/');
		if (!slash)
			return XS_NO_ID;
		slash[1] = 0;
		if (strlen(path) + strlen(name) >= sizeof(path))
			mxRangeError("path too long");
		strcat(path, name);
	}
	else if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else if (!fxResolveMapped(name, path, sizeof(path)))
		return XS_NO_ID;
	if (!realpath(path, real))
		return XS_NO_ID;
	return fxNewNameC(the, real);
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
	txScript* script = fxLoadScriptFile(the, fxGetKeyName(the, moduleID));
	if (!script)
		return;
	if (script->hostsBuffer) {
		/* fxRunScript calls script->callback first; its result becomes the module's hosts. */
		script->callback = fxBindHostFunctions;
		gxBindingScript = script;
	}
	fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
	gxBindingScript = NULL;
}

/* Builds the array of host functions a module declared with `@ "name"`, in declaration order. */
static void fxBindHostFunctions(txMachine* the)
{
	txScript* script = gxBindingScript;
	txByte* p = (txByte*)script->hostsBuffer;
	txID count, index;
	mxDecodeID(p, count);
	txHostFunctionBuilder* builders = c_calloc(count, sizeof(txHostFunctionBuilder));
	if (!builders)
		fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
	for (index = 0; index < count; index++) {
		txS1 length = (txS1)*p++;
		txID symbol;
		mxDecodeID(p, symbol);
		(void)symbol;
		const char* name = (const char*)p;
		p += strlen(name) + 1;
		void* callback = dlsym(RTLD_DEFAULT, name);
		if (!callback) {
			c_free(builders);
			mxReferenceError("host function %s is not linked into picket-xs", name);
		}
		builders[index].callback = (txCallback)callback;
		builders[index].length = length;
		builders[index].id = XS_NO_ID;
	}
	fxBuildHosts(the, count, builders);
	c_free(builders);
	mxPullSlot(mxResult);
}

static txScript* fxLoadScriptFile(txMachine* the, txString path)
{
	txParser _parser;
	txParser* parser = &_parser;
	txParserJump jump;
	FILE* volatile file = NULL;
	txScript* volatile script = NULL;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->firstJump = &jump;
	file = fopen(path, "r");
	if (c_setjmp(jump.jmp_buf) == 0) {
		mxParserThrowElse(file);
		parser->path = fxNewParserSymbol(parser, path);
		/* mxCFlag lets the parser accept Moddable's `@ "host"` syntax. */
		fxParserTree(parser, file, (txGetter)fgetc, mxCFlag | mxDebugFlag, NULL);
		fclose(file);
		file = NULL;
		fxParserHoist(parser);
		fxParserBind(parser);
		script = fxParserCode(parser);
	}
	if (file)
		fclose(file);
	fxTerminateParser(parser);
	return script;
}

static void fxModuleFulfilled(txMachine* the)
{
}

static void fxModuleRejected(txMachine* the)
{
	fprintf(stderr, "picket-xs: %s\n", fxToString(the, mxArgv(0)));
	gxFailed = 1;
}

static void fxRunMain(txMachine* the, const char* path)
{
	txSlot* realm = mxProgram.value.reference->next->value.module.realm;
	mxPushStringC((txString)path);
	fxRunImport(the, realm, XS_NO_ID);
	mxDub();
	fxGetID(the, mxID(_then));
	mxCall();
	fxNewHostFunction(the, fxModuleFulfilled, 1, XS_NO_ID, XS_NO_ID);
	fxNewHostFunction(the, fxModuleRejected, 1, XS_NO_ID, XS_NO_ID);
	mxRunCount(2);
	mxPop();
}

/* Runs MODULE as the main module, then every promise job it queues. Returns the exit status. */
int picketRunMain(txMachine* the, const char* path)
{
	fxBeginHost(the);
	{
		mxTry(the) {
			fxRunMain(the, path);
			fxRunPromiseLoop(the);
		}
		mxCatch(the) {
			fprintf(stderr, "picket-xs: %s\n", fxToString(the, &mxException));
			gxFailed = 1;
		}
	}
	fxEndHost(the);
	return the->abortStatus ? the->abortStatus : gxFailed;
}

/* Adds a PREFIX=DIRECTORY module map; returns 0 when the argument is malformed or there are too many. */
int picketAddModuleMap(char* argument)
{
	char* equals = strchr(argument, '=');
	if (!equals || (gxMapCount == mxMaxMaps))
		return 0;
	*equals = 0;
	gxMaps[gxMapCount].prefix = argument;
	gxMaps[gxMapCount].directory = equals + 1;
	gxMapCount++;
	return 1;
}
