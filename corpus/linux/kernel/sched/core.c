/* The scheduler core: what sched_yield(2) would do, through the task's class. */
#include <linux/sched.h>
#include "sched.h"

static int need_resched;

void do_sched_yield(void)
{
	current_class->yield_task();
}

/* Before picking the next task: each class may pull work from other CPUs. */
int balance_classes(int cpu)
{
	const struct sched_class *class = current_class;

	return class->balance(cpu);
}

/* Switch to the task the class picks. */
static void __schedule(void)
{
	pick_next_task_fair();
}

void schedule(void)
{
	__schedule();
}

int __cond_resched(void)
{
	if (need_resched) {
		__schedule();
		return 1;
	}
	return 0;
}

unsigned long long task_sched_runtime(void)
{
	current_class->update_curr();
	return 0;
}
