/* The scheduler core: what sched_yield(2) would do, through the task's class. */
#include "sched.h"

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
