/* The scheduler core: what sched_yield(2) would do, through the task's class. */
#include "sched.h"

void do_sched_yield(void)
{
	current_class->yield_task();
}
