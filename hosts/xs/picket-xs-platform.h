/*
 * Platform header for Picket's host XS runtime (Linux and macOS, gcc or clang).
 * Everything not specific to Picket comes from XS's own defaults in xsPlatforms.c.
 */
#ifndef __PICKET_XS_PLATFORM__
#define __PICKET_XS_PLATFORM__

#if defined(__GNUC__)
	#undef mxLittleEndian
	#define mxLittleEndian 1
	#if defined(__linux__)
		#undef mxLinux
		#define mxLinux 1
	#else
		#undef mxMacOSX
		#define mxMacOSX 1
	#endif
	#define mxExport extern
	#define mxImport extern
	#define XS_FUNCTION_NORETURN __attribute__((noreturn))
#else
	#error the Picket host XS runtime needs gcc or clang
#endif

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#define mxUseGCCAtomics 1
#define mxUsePOSIXThreads 1

#define mxMachinePlatform \
	int promiseJobs; \
	int abortStatus; \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink;

#define mxUseDefaultMachinePlatform 1
#define mxUseDefaultBuildKeys 1
#define mxUseDefaultChunkAllocation 1
#define mxUseDefaultSlotAllocation 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultDebug 1

#if INTPTR_MAX == INT64_MAX
	#define mx32bitID 1
#endif

#endif /* __PICKET_XS_PLATFORM__ */
