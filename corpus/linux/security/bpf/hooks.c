/*
 * The BPF security module registers a function for every hook in the list,
 * so that a BPF program can be attached to any of them.
 */
#include <linux/lsm_hooks.h>

static struct security_hook_list bpf_lsm_hooks[] = {
	#define LSM_HOOK(RET, DEFAULT, NAME, ...) \
	LSM_HOOK_INIT(NAME, bpf_lsm_##NAME),
	#include <linux/lsm_hook_defs.h>
	#undef LSM_HOOK
};

static int bpf_lsm_init(void)
{
	security_add_hooks(bpf_lsm_hooks, sizeof(bpf_lsm_hooks) / sizeof(bpf_lsm_hooks[0]), "bpf");
	return 0;
}
