/* Scheduling classes: each policy is a table of functions the core calls. */
#ifndef _XR_KERNEL_SCHED_H
#define _XR_KERNEL_SCHED_H

struct sched_class {
	void (*yield_task)(void);
	void (*enqueue_task)(int cpu);
	int (*balance)(int cpu);
	void (*update_curr)(void);
};

/* Load balancing's state: another struct with a member named balance. */
struct lb_env {
	int balance;
	int dst_cpu;
};

/* A class's table is named after it; the macro hides the struct from the parser. */
#define DEFINE_SCHED_CLASS(name) const struct sched_class name##_sched_class

extern const struct sched_class fair_sched_class;

/* The fair class's choice of the task to run next. */
void pick_next_task_fair(void);

/* The class of the task running here (always the fair one in this tree). */
#define current_class (&fair_sched_class)

#endif
