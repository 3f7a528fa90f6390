/* Model-specific registers the entry setup writes. */
#ifndef _XR_ASM_MSR_INDEX_H
#define _XR_ASM_MSR_INDEX_H

#define MSR_STAR	0xc0000081	/* legacy mode SYSCALL target */
#define MSR_LSTAR	0xc0000082	/* long mode SYSCALL target */
#define MSR_CSTAR	0xc0000083	/* compat mode SYSCALL target */
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_IA32_SYSENTER_EIP	0x00000176	/* SYSENTER target */

void wrmsrl(unsigned int msr, unsigned long long val);

#endif
