/* Per-CPU variables: one copy of the variable for every processor. */
#ifndef _XR_PERCPU_DEFS_H
#define _XR_PERCPU_DEFS_H

#define __PCPU_ATTRS(sec)	__attribute__((section(".data..percpu" sec)))

#define DEFINE_PER_CPU_SECTION(type, name, sec)	\
	__PCPU_ATTRS(sec) __typeof__(type) name

#define DEFINE_PER_CPU(type, name)	DEFINE_PER_CPU_SECTION(type, name, "")

#define this_cpu_ptr(ptr)	(ptr)

#endif
