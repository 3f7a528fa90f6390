/*
 * Security modules: each hook is a member of union security_list_options, and
 * a module registers its functions with LSM_HOOK_INIT in an array of
 * struct security_hook_list that security_add_hooks() links into the heads.
 */
#ifndef _XR_LSM_HOOKS_H
#define _XR_LSM_HOOKS_H

#include <linux/types.h>

struct socket;
struct msghdr;
struct file;

union security_list_options {
#define LSM_HOOK(RET, DEFAULT, NAME, ...) RET (*NAME)(__VA_ARGS__);
#include "lsm_hook_defs.h"
#undef LSM_HOOK
};

struct security_hook_heads {
#define LSM_HOOK(RET, DEFAULT, NAME, ...) struct security_hook_list *NAME;
#include "lsm_hook_defs.h"
#undef LSM_HOOK
};

struct security_hook_list {
	struct security_hook_list *next;
	struct security_hook_list **head;
	union security_list_options hook;
	const char *lsm;
};

extern struct security_hook_heads security_hook_heads;

#define LSM_HOOK_INIT(HEAD, HOOK) \
	{ .head = &security_hook_heads.HEAD, .hook = { .HEAD = HOOK } }

void security_add_hooks(struct security_hook_list *hooks, int count, const char *lsm);

#endif
