/* How C and assembly symbols are declared and linked. */
#ifndef _XR_LINKAGE_H
#define _XR_LINKAGE_H

#include <linux/compiler_types.h>
#include <linux/stringify.h>

#define asmlinkage

#ifdef __ASSEMBLY__

#define SYM_L_GLOBAL(name)	.globl name
#define SYM_L_LOCAL(name)

#define SYM_START(name, linkage)	\
	linkage(name) ;			\
	name:

#define SYM_CODE_START(name)		SYM_START(name, SYM_L_GLOBAL)
#define SYM_CODE_START_LOCAL(name)	SYM_START(name, SYM_L_LOCAL)
#define SYM_FUNC_START(name)		SYM_START(name, SYM_L_GLOBAL)
#define SYM_INNER_LABEL(name, linkage)	\
	linkage(name) ;			\
	name:
#define SYM_CODE_END(name)	.size name, .-name
#define SYM_FUNC_END(name)	.type name, @function ; .size name, .-name

#endif /* __ASSEMBLY__ */

#endif
