// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU setup of the system call entry points: where the CPU goes on
 * SYSCALL (the LSTAR register) and on "int $0x80" (IDT vector 0x80).
 */
#include <linux/linkage.h>
#include <linux/types.h>
#include <asm/msr-index.h>
#include <asm/irq_vectors.h>

extern void entry_SYSCALL_64(void);
extern void entry_INT80_compat(void);
extern void entry_SYSENTER_compat(void);

struct idt_data {
	unsigned int vector;
	unsigned int type;
	const void *addr;
};

#define GATE_TRAP	0xf
#define SYSG(_vector, _addr)	{ .vector = _vector, .type = GATE_TRAP, .addr = _addr }

/* The gates user space may use directly. */
static const struct idt_data ia32_idt[] = {
	SYSG(IA32_SYSCALL_VECTOR, entry_INT80_compat),
};

void idt_setup_gates(const struct idt_data *t, int size);

void syscall_init(void)
{
	wrmsrl(MSR_LSTAR, (unsigned long)entry_SYSCALL_64);
	wrmsrl(MSR_IA32_SYSENTER_EIP, (unsigned long)entry_SYSENTER_compat);
}

void idt_setup_syscall(void)
{
	idt_setup_gates(ia32_idt, 1);
}
