/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 64-bit system call entry.  The SYSCALL instruction jumps here (the
 * address was written to MSR_LSTAR at boot) with the user's return address in
 * rcx and flags in r11.  We build a struct pt_regs on the kernel stack and
 * hand it, with the system call number from rax, to the C dispatcher.
 */
#include <linux/linkage.h>

	.code64
	.section .entry.text, "ax"

SYM_CODE_START(entry_SYSCALL_64)
	swapgs
	/* switch to the kernel stack; the user's one is saved in pt_regs */
	movq	%rsp, %gs:0x6014
	movq	%gs:0x6000, %rsp

SYM_INNER_LABEL(entry_SYSCALL_64_after_hwframe, SYM_L_GLOBAL)
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	$-38				/* pt_regs->ax = -ENOSYS */
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	subq	$48, %rsp

	movq	%rsp, %rdi			/* first argument: the registers */
	movslq	%eax, %rsi			/* second: the number, sign-extended */
	call	do_syscall_64

	jmp	syscall_return_via_sysret
SYM_CODE_END(entry_SYSCALL_64)

SYM_CODE_START_LOCAL(syscall_return_via_sysret)
	addq	$48, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	movq	%gs:0x6014, %rsp
	swapgs
	sysretq
SYM_CODE_END(syscall_return_via_sysret)
