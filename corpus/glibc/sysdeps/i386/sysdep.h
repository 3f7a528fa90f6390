/* i386 assembler conventions. */
#ifndef _XR_I386_SYSDEP_H
#define _XR_I386_SYSDEP_H 1

#include <sysdeps/x86/sysdep.h>

#endif
