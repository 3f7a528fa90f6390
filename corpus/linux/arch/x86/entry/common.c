// SPDX-License-Identifier: GPL-2.0-only
/*
 * The C half of system call entry: checks the number and dispatches it, for
 * 64-bit callers (do_syscall_64) and 32-bit ones (do_int80_syscall_32).
 */
#include <linux/linkage.h>
#include <linux/syscalls.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

static __always_inline bool do_syscall_x64(struct pt_regs *regs, int nr)
{
	/* Unsigned, so that a negative number fails the bound check too. */
	unsigned int unr = nr;

	if (likely(unr < NR_syscalls)) {
		regs->ax = x64_sys_call(regs, unr);
		return true;
	}
	return false;
}

__visible noinstr void do_syscall_64(struct pt_regs *regs, int nr)
{
	if (!do_syscall_x64(regs, nr) && nr != -1)
		regs->ax = __x64_sys_ni_syscall(regs);
}

static __always_inline void do_syscall_32_irqs_on(struct pt_regs *regs, int nr)
{
	unsigned int unr = nr;

	if (likely(unr < IA32_NR_syscalls))
		regs->ax = ia32_sys_call_table[unr](regs);
	else if (nr != -1)
		regs->ax = __ia32_sys_ni_syscall(regs);
}

/* int $0x80 from a 32-bit task. */
__visible noinstr void do_int80_syscall_32(struct pt_regs *regs)
{
	int nr = (int)regs->orig_ax;

	do_syscall_32_irqs_on(regs, nr);
}

/* SYSENTER from the 32-bit vDSO: the same dispatch once the stack is fixed. */
__visible noinstr long do_SYSENTER_32(struct pt_regs *regs)
{
	do_syscall_32_irqs_on(regs, (int)regs->orig_ax);
	return 0;
}

/* The handler every unbuilt or unknown number reaches. */
SYSCALL_DEFINE0(ni_syscall)
{
	return sys_ni_syscall();
}

long __ia32_sys_ni_syscall(const struct pt_regs *regs)
{
	return sys_ni_syscall();
}
