/* Sleeping locks, and the macro that defines one statically. */
#ifndef _XR_MUTEX_H
#define _XR_MUTEX_H

struct mutex {
	long owner;
	void *wait_list;
};

#define __MUTEX_INITIALIZER(lockname)	{ .owner = 0, .wait_list = &(lockname).wait_list }

#define DEFINE_MUTEX(mutexname)	\
	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#endif
