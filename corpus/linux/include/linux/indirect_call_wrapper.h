/*
 * Calls through a function pointer that is very likely one of a few known
 * functions: compare first and call directly, which is cheaper than an
 * indirect branch when retpolines are on.
 */
#ifndef _XR_INDIRECT_CALL_WRAPPER_H
#define _XR_INDIRECT_CALL_WRAPPER_H

#include <linux/compiler_types.h>

#define INDIRECT_CALL_1(f, f1, ...)					\
	({								\
		likely(f == f1) ? f1(__VA_ARGS__) : f(__VA_ARGS__);	\
	})

#define INDIRECT_CALL_2(f, f2, f1, ...)					\
	({								\
		likely(f == f2) ? f2(__VA_ARGS__) :			\
				  INDIRECT_CALL_1(f, f1, __VA_ARGS__);	\
	})

#define INDIRECT_CALLABLE_DECLARE(f)	f
#define INDIRECT_CALLABLE_SCOPE

/* With IPv6 built in, both address families are worth a direct compare. */
#ifdef CONFIG_IPV6
#define INDIRECT_CALL_INET(f, f2, f1, ...)	\
	INDIRECT_CALL_2(f, f2, f1, __VA_ARGS__)
#else
#define INDIRECT_CALL_INET(f, f2, f1, ...)	\
	INDIRECT_CALL_1(f, f1, __VA_ARGS__)
#endif

#endif
