/* x86-64 assembler conventions. */
#ifndef _XR_X86_64_SYSDEP_H
#define _XR_X86_64_SYSDEP_H 1

#include <sysdeps/x86/sysdep.h>

#ifdef __ASSEMBLER__
# define ret_ERRVAL ret
#endif

#endif
