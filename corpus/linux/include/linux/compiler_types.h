/* Annotations the bundled tree uses; they vanish for the compiler, as in a real tree. */
#ifndef _XR_COMPILER_TYPES_H
#define _XR_COMPILER_TYPES_H

#define __user
#define __kernel
#define __force
#define __iomem
/* gcc keeps these callable from assembly even under LTO; clang needs nothing */
#define __visible
#define __weak		__attribute__((weak))
#define __always_inline	inline __attribute__((always_inline))
#define noinline	__attribute__((noinline))
#define notrace		__attribute__((no_instrument_function))
#define noinstr	notrace
#define __init
#define __exit
#define __cold		__attribute__((cold))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#endif
