/* Assembler conventions shared by both x86 ports. */
#ifndef _XR_X86_SYSDEP_H
#define _XR_X86_SYSDEP_H 1

#include <sysdeps/generic/sysdep.h>

#ifdef __ASSEMBLER__
# define ENTRY(name)							\
  .globl C_SYMBOL_NAME (name);						\
  .type C_SYMBOL_NAME (name), @function;				\
  .align 16;								\
  C_SYMBOL_NAME (name):
# define END(name)							\
  .size C_SYMBOL_NAME (name), . - C_SYMBOL_NAME (name)
#endif

#endif
