// SPDX-License-Identifier: GPL-2.0
/* Small system calls about the calling process. */
#include <linux/types.h>
#include <linux/syscalls.h>

struct task_struct {
	pid_t pid;
	pid_t tgid;
};

static struct task_struct init_task = { .pid = 1, .tgid = 1 };

static struct task_struct *get_current(void)
{
	return &init_task;
}

static pid_t task_tgid_vnr(struct task_struct *tsk)
{
	return tsk->tgid;
}

/* The thread group id is what user space calls the process id. */
SYSCALL_DEFINE0(getpid)
{
	return task_tgid_vnr(get_current());
}
