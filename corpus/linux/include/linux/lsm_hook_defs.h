/*
 * The list of security hooks, one use of LSM_HOOK per hook: return type,
 * value when no module objects, name, parameters. No include guard and no
 * definition of LSM_HOOK: each file that includes this list defines LSM_HOOK
 * first, to make what it needs from every hook (a union member, a list head,
 * a default function, a registration).
 */
LSM_HOOK(int, 0, socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
LSM_HOOK(int, 0, socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags)
LSM_HOOK(int, 0, file_permission, struct file *file, int mask)
