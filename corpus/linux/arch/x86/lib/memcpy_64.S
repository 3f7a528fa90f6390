/* SPDX-License-Identifier: GPL-2.0-only */
/* Copy a block of memory: the string instruction, a byte at a time. */
#include <linux/linkage.h>

SYM_FUNC_START(__memcpy)
	movq %rdi, %rax
	movq %rdx, %rcx
	rep movsb
	RET
SYM_FUNC_END(__memcpy)

SYM_FUNC_START(memcpy)
	jmp __memcpy
SYM_FUNC_END(memcpy)
