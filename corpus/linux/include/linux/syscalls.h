/*
 * Declaring system call handlers.  SYSCALL_DEFINEn(name, type1, arg1, ...)
 * expands, through several layers, into the functions that really exist:
 * an architecture may replace the last layer (__SYSCALL_DEFINEx) with its
 * own, which is what x86 does to give every handler a pt_regs entry stub.
 */
#ifndef _XR_SYSCALLS_H
#define _XR_SYSCALLS_H

#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/errno.h>

struct pt_regs;
struct sockaddr;
struct msghdr;

#ifdef CONFIG_ARCH_HAS_SYSCALL_WRAPPER
#include <asm/syscall_wrapper.h>
#endif

/*
 * __MAP(n, m, t1, a1, ..., tn, an) applies m to each (type, name) pair and
 * separates the results with commas.
 */
#define __MAP0(m, ...)
#define __MAP1(m, t, a, ...)	m(t, a)
#define __MAP2(m, t, a, ...)	m(t, a), __MAP1(m, __VA_ARGS__)
#define __MAP3(m, t, a, ...)	m(t, a), __MAP2(m, __VA_ARGS__)
#define __MAP4(m, t, a, ...)	m(t, a), __MAP3(m, __VA_ARGS__)
#define __MAP5(m, t, a, ...)	m(t, a), __MAP4(m, __VA_ARGS__)
#define __MAP6(m, t, a, ...)	m(t, a), __MAP5(m, __VA_ARGS__)
#define __MAP(n, ...)		__MAP##n(__VA_ARGS__)

/* The helpers __MAP applies: a declaration, a widened long, a cast back, a use. */
#define __SC_DECL(t, a)	t a
#define __SC_LONG(t, a)	long a
#define __SC_CAST(t, a)	(__force t) a
#define __SC_ARGS(t, a)	a

#ifndef SYSCALL_DEFINE0
#define SYSCALL_DEFINE0(sname)				\
	asmlinkage long sys_##sname(void);		\
	asmlinkage long sys_##sname(void)
#endif

#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

/* Tracing metadata would go here; the bundled tree records only the name. */
#define SYSCALL_METADATA(sname, nb, ...)

#define SYSCALL_DEFINEx(x, sname, ...)				\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)			\
	__SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

/*
 * The generic last layer, for architectures without their own wrapper:
 * sys_NAME is an alias of a function taking every argument as a long.
 */
#ifndef __SYSCALL_DEFINEx
#define __SYSCALL_DEFINEx(x, name, ...)					\
	asmlinkage long sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))	\
		__attribute__((alias(__stringify(__se_sys##name))));	\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	asmlinkage long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__)); \
	asmlinkage long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__)) \
	{								\
		return __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
	}								\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))
#endif

#ifndef COMPAT_SYSCALL_DEFINEx
#define COMPAT_SYSCALL_DEFINEx(x, name, ...)				\
	asmlinkage long compat_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))
#endif

#define COMPAT_SYSCALL_DEFINE2(name, ...) COMPAT_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define COMPAT_SYSCALL_DEFINE6(name, ...) COMPAT_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

asmlinkage long sys_ni_syscall(void);

/* The in-kernel helpers behind the socket system calls. */
int __sys_socket(int family, int type, int protocol);
int __sys_bind(int fd, struct sockaddr __user *umyaddr, int addrlen);
int __sys_connect(int fd, struct sockaddr __user *uservaddr, int addrlen);
int __sys_sendto(int fd, void __user *buff, size_t len, unsigned int flags,
		 struct sockaddr __user *addr, int addr_len);
int __sys_recvfrom(int fd, void __user *ubuf, size_t size, unsigned int flags,
		   struct sockaddr __user *addr, int __user *addr_len);
ssize_t ksys_write(unsigned int fd, const char __user *buf, size_t count);
ssize_t ksys_read(unsigned int fd, char __user *buf, size_t count);

#endif
