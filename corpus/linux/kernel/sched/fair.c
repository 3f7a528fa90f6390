/* The fair class: its functions, registered in the table the macro names. */
#include "sched.h"

static unsigned long yields;
static unsigned long long exec_clock, exec_start, sum_exec_runtime;

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

/* Charge the running task for the time since it was last charged. */
static void update_curr(void)
{
	sum_exec_runtime += exec_clock - exec_start;
	exec_start = exec_clock;
}

static void update_curr_fair(void)
{
	update_curr();
}

/* The task that ran is charged before another is picked. */
void pick_next_task_fair(void)
{
	update_curr();
}

DEFINE_SCHED_CLASS(fair) = {
	.yield_task	= yield_task_fair,
	.enqueue_task	= enqueue_task_fair,
	.balance	= balance_fair,
	.update_curr	= update_curr_fair,
};
