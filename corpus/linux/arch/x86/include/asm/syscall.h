/* How the x86 dispatcher reaches a handler: by number, through the stubs. */
#ifndef _XR_ASM_SYSCALL_H
#define _XR_ASM_SYSCALL_H

#include <asm/ptrace.h>

typedef long (*sys_call_ptr_t)(const struct pt_regs *);

#define NR_syscalls		400
#define IA32_NR_syscalls	400

/* 64-bit: a switch over the table's rows (arch/x86/entry/syscall_64.c). */
long x64_sys_call(const struct pt_regs *regs, unsigned int nr);

/* 32-bit: an array indexed by number (arch/x86/entry/syscall_32.c). */
extern const sys_call_ptr_t ia32_sys_call_table[];

#endif
