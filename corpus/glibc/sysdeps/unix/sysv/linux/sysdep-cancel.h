/* What a cancellable system call wrapper needs. */
#include <sysdep.h>

extern int __libc_single_threaded;
extern int __pthread_enable_asynccancel (void);
extern void __pthread_disable_asynccancel (int oldtype);

#define SINGLE_THREAD_P		(__libc_single_threaded != 0)
#define LIBC_CANCEL_ASYNC()	__pthread_enable_asynccancel ()
#define LIBC_CANCEL_RESET(oldtype)	__pthread_disable_asynccancel (oldtype)
