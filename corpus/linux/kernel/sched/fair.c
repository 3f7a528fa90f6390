/* The fair class: its functions, registered in the table the macro names. */
#include "sched.h"

static unsigned long yields;

static void yield_task_fair(void)
{
	yields++;
}

static void enqueue_task_fair(int cpu)
{
}

static int balance_fair(int cpu)
{
	struct lb_env env = { .balance = 1, .dst_cpu = cpu };

	return env.balance;
}

DEFINE_SCHED_CLASS(fair) = {
	.yield_task	= yield_task_fair,
	.enqueue_task	= enqueue_task_fair,
	.balance	= balance_fair,
};
