/* Where a task may give up the CPU. */
#ifndef _XR_LINUX_SCHED_H
#define _XR_LINUX_SCHED_H

void schedule(void);
int __cond_resched(void);

/*
 * A voluntary preemption point: a long loop offers the CPU to another task here and goes on
 * where it was once it runs again.  What runs in between is the scheduler's, not the caller's.
 */
#define cond_resched() __cond_resched()

/* How long the calling task has run, in nanoseconds, as its scheduling class counts it. */
unsigned long long task_sched_runtime(void);

#endif
