/*
 * A function per security hook, each returning the hook's default: the place
 * a BPF program attaches to. The list of hooks makes them all.
 */
#include <linux/lsm_hooks.h>

#define LSM_HOOK(RET, DEFAULT, NAME, ...)	\
RET bpf_lsm_##NAME(__VA_ARGS__)			\
{						\
	return DEFAULT;				\
}

#include <linux/lsm_hook_defs.h>
#undef LSM_HOOK
