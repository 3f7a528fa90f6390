/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit callers on a 64-bit kernel.  "int $0x80" arrives at
 * entry_INT80_compat through vector 0x80 of the IDT; SYSENTER from the vDSO
 * arrives at entry_SYSENTER_compat.  Both save the registers and call C.
 */
#include <linux/linkage.h>

	.code64
	.section .entry.text, "ax"

SYM_CODE_START(entry_INT80_compat)
	swapgs
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	$-38
	subq	$72, %rsp
	movq	%rsp, %rdi
	call	do_int80_syscall_32
	jmp	compat_return
SYM_CODE_END(entry_INT80_compat)

SYM_CODE_START(entry_SYSENTER_compat)
	swapgs
	pushq	%rax
	subq	$112, %rsp
	movq	%rsp, %rdi
	call	do_SYSENTER_32
	jmp	compat_return
SYM_CODE_END(entry_SYSENTER_compat)

SYM_CODE_START_LOCAL(compat_return)
	addq	$152, %rsp
	swapgs
	iretq
SYM_CODE_END(compat_return)
