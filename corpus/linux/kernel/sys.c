// SPDX-License-Identifier: GPL-2.0
/* Small system calls about the calling process. */
#include <linux/types.h>
#include <linux/syscalls.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

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

struct rusage {
	long ru_utime;
	long ru_stime;
};

#define RUSAGE_SELF	0

static void thread_group_cputime(struct task_struct *tsk, struct rusage *r)
{
	r->ru_stime = task_sched_runtime();
}

static void thread_group_cputime_adjusted(struct task_struct *tsk, struct rusage *r)
{
	thread_group_cputime(tsk, r);
	r->ru_utime = r->ru_stime / 2;
}

/* Each thread of the group is visited; a big group takes a while, so it lets others run. */
static void getrusage(struct task_struct *tsk, int who, struct rusage *r)
{
	cond_resched();
	thread_group_cputime_adjusted(tsk, r);
}

SYSCALL_DEFINE2(getrusage, int, who, struct rusage __user *, ru)
{
	struct rusage r;

	if (who != RUSAGE_SELF)
		return -EINVAL;
	getrusage(get_current(), who, &r);
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}
