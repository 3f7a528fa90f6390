/* The registers saved on kernel entry, in the order the entry code pushes them. */
#ifndef _XR_ASM_PTRACE_H
#define _XR_ASM_PTRACE_H

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx;
	unsigned long r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};

#endif
