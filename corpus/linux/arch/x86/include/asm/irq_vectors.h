/* Interrupt vector numbers the kernel reserves. */
#ifndef _XR_ASM_IRQ_VECTORS_H
#define _XR_ASM_IRQ_VECTORS_H

#define IA32_SYSCALL_VECTOR	0x80

#endif
