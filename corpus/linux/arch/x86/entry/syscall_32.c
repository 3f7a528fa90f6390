// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit dispatch, table form: an array of entry stubs indexed by number.
 * Unlisted numbers are filled with the "not implemented" stub first; the rows
 * of syscall_32.tbl then override their slot, compat entry points winning.
 */
#include <linux/linkage.h>
#include <linux/syscalls.h>
#include <asm/syscall.h>

#define __SYSCALL_WITH_COMPAT(nr, native, compat)	__SYSCALL(nr, compat)

#define __SYSCALL(nr, sym) extern long __ia32_##sym(const struct pt_regs *);
#include <asm/syscalls_32.h>
#undef __SYSCALL

#define __SYSCALL(nr, sym) [nr] = __ia32_##sym,

const sys_call_ptr_t ia32_sys_call_table[] = {
	[0 ... IA32_NR_syscalls - 1] = &__ia32_sys_ni_syscall,
#include <asm/syscalls_32.h>
};
