/*
 * Symbol games every libc source file is compiled with (-include): aliases,
 * and hidden definitions for calls from inside libc that must not go through
 * the PLT.
 */
#ifndef _XR_LIBC_SYMBOLS_H
#define _XR_LIBC_SYMBOLS_H 1

/* Make NEW another name of OLD; a weak alias may be overridden by the user. */
#define strong_alias(original, aliasname)	_strong_alias (original, aliasname)
#define _strong_alias(original, aliasname)			\
  extern __typeof (original) aliasname __attribute__ ((alias (#original)));

#define weak_alias(original, aliasname)	_weak_alias (original, aliasname)
#define _weak_alias(original, aliasname)			\
  extern __typeof (original) aliasname				\
    __attribute__ ((weak, alias (#original)));

/* Internal calls go to a hidden alias, __GI_NAME, named by libc_hidden_def. */
#define __hidden_asmname(name)	__hidden_asmname1 (__USER_LABEL_PREFIX__, name)
#define __hidden_asmname1(prefix, name)	__hidden_asmname2 (prefix, name)
#define __hidden_asmname2(prefix, name)	#prefix name

#define hidden_proto(name, attrs...)				\
  extern __typeof (name) name __asm__ (__hidden_asmname (#name)) attrs;

#define __hidden_ver1(local, internal, name)			\
  extern __typeof (name) __EI_##name				\
    __asm__ (__hidden_asmname (#internal));			\
  extern __typeof (name) __EI_##name				\
    __attribute__ ((alias (__hidden_asmname (#local))));

#define hidden_def(name)	__hidden_ver1 (__GI_##name, name, name);

#define libc_hidden_proto(name, attrs...)	hidden_proto (name, ##attrs)
#define libc_hidden_def(name)	hidden_def (name)
#define libc_hidden_weak(name)	hidden_def (name)

#define attribute_hidden	__attribute__ ((visibility ("hidden")))

/* Library stubs for calls this configuration cannot provide. */
#define stub_warning(name)					\
  static const char __evoke_link_warning_##name[]		\
    __attribute__ ((used, section (".gnu.warning." #name))) =	\
    #name " is not implemented and will always fail";

#endif
