/*
 * The security hooks: each calls, in turn, every function a module registered
 * for it, and stops at the first that objects.
 */
#include <linux/lsm_hooks.h>
#include <linux/security.h>

/* One list head per hook, made from the hook list. */
struct security_hook_heads security_hook_heads;

void security_add_hooks(struct security_hook_list *hooks, int count, const char *lsm)
{
	int i;

	for (i = 0; i < count; i++) {
		hooks[i].lsm = lsm;
		hooks[i].next = *hooks[i].head;
		*hooks[i].head = &hooks[i];
	}
}

#define call_int_hook(FUNC, IRC, ...) ({				\
	int RC = IRC;							\
	struct security_hook_list *P;					\
									\
	for (P = security_hook_heads.FUNC; P; P = P->next) {		\
		RC = P->hook.FUNC(__VA_ARGS__);				\
		if (RC != 0)						\
			break;						\
	}								\
	RC;								\
})

int security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size)
{
	return call_int_hook(socket_sendmsg, 0, sock, msg, size);
}

int security_socket_recvmsg(struct socket *sock, struct msghdr *msg, int size, int flags)
{
	return call_int_hook(socket_recvmsg, 0, sock, msg, size, flags);
}

int security_file_permission(struct file *file, int mask)
{
	return call_int_hook(file_permission, 0, file, mask);
}
