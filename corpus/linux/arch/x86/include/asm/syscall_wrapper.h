/*
 * x86's own last layer of SYSCALL_DEFINEx.  Every handler gets small entry
 * stubs that take the saved registers (struct pt_regs) and unpack the
 * arguments from them: __x64_sys_NAME for 64-bit callers and, with IA32
 * emulation, __ia32_sys_NAME for 32-bit ones.  Both call __se_sys_NAME,
 * which narrows each long to its declared type for __do_sys_NAME, the body.
 */
#ifndef _XR_ASM_SYSCALL_WRAPPER_H
#define _XR_ASM_SYSCALL_WRAPPER_H

#include <asm/ptrace.h>

extern long __x64_sys_ni_syscall(const struct pt_regs *regs);
extern long __ia32_sys_ni_syscall(const struct pt_regs *regs);

/* Argument i of a 64-bit call lives in this register. */
#define SC_X86_64_REGS_TO_ARGS(x, ...)					\
	__MAP(x, __SC_ARGS						\
		, , regs->di, , regs->si, , regs->dx			\
		, , regs->r10, , regs->r8, , regs->r9)

/* ... and of a 32-bit call in this one, zero-extended. */
#define SC_IA32_REGS_TO_ARGS(x, ...)					\
	__MAP(x, __SC_ARGS						\
		, , (unsigned int)regs->bx, , (unsigned int)regs->cx	\
		, , (unsigned int)regs->dx, , (unsigned int)regs->si	\
		, , (unsigned int)regs->di, , (unsigned int)regs->bp)

#define __SYS_STUB0(abi, name)						\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)

#define __SYS_STUBx(abi, name, ...)					\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)		\
	{								\
		return __se_##name(__VA_ARGS__);			\
	}

#define __COND_SYSCALL(abi, name)					\
	__weak long __##abi##_##name(const struct pt_regs *__unused);	\
	__weak long __##abi##_##name(const struct pt_regs *__unused)	\
	{								\
		return sys_ni_syscall();				\
	}

#define __X64_SYS_STUBx(x, name, ...)					\
	__SYS_STUBx(x64, sys##name,					\
		    SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__))
#define __X64_COND_SYSCALL(name)	__COND_SYSCALL(x64, sys_##name)

#ifdef CONFIG_IA32_EMULATION
#define __IA32_SYS_STUBx(x, name, ...)					\
	__SYS_STUBx(ia32, sys##name,					\
		    SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))
#define __IA32_COND_SYSCALL(name)	__COND_SYSCALL(ia32, sys_##name)
#else
#define __IA32_SYS_STUBx(x, name, ...)
#define __IA32_COND_SYSCALL(name)
#endif

#define __SYSCALL_DEFINEx(x, name, ...)					\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	__X64_SYS_STUBx(x, name, __VA_ARGS__)				\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		return ret;						\
	}								\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define SYSCALL_DEFINE0(sname)						\
	static long __do_sys_##sname(const struct pt_regs *__unused);	\
	__SYS_STUB0(x64, sys_##sname)					\
	{								\
		return __do_sys_##sname(regs);				\
	}								\
	static long __do_sys_##sname(const struct pt_regs *__unused)

/* Compat handlers exist only for 32-bit callers. */
#define __IA32_COMPAT_SYS_STUBx(x, name, ...)				\
	__SYS_STUBx(ia32, compat_sys##name,				\
		    SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))

#define COMPAT_SYSCALL_DEFINEx(x, name, ...)				\
	static long __se_compat_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__)); \
	static inline long __do_compat_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	__IA32_COMPAT_SYS_STUBx(x, name, __VA_ARGS__)			\
	static long __se_compat_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__)) \
	{								\
		return __do_compat_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
	}								\
	static inline long __do_compat_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

/* A system call that may not be built: a weak stub that says ENOSYS. */
#define COND_SYSCALL(name)						\
	__X64_COND_SYSCALL(name)					\
	__IA32_COND_SYSCALL(name)

#endif
