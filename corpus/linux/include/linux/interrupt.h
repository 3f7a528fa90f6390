/*
 * Deferred work: a softirq is a handler the kernel runs soon after something
 * marks it pending (a driver that queued a packet, a timer that expired).
 * They run where bottom halves are enabled again or an interrupt returns,
 * whichever task happens to be on that CPU.
 */
#ifndef _XR_INTERRUPT_H
#define _XR_INTERRUPT_H

#include <linux/types.h>
#include <linux/compiler_types.h>

enum {
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	NR_SOFTIRQS
};

struct softirq_action {
	void (*action)(struct softirq_action *);
};

#define __softirq_entry

void open_softirq(int nr, void (*action)(struct softirq_action *));
void raise_softirq(unsigned int nr);
void do_softirq(void);
void __local_bh_enable_ip(unsigned long ip, unsigned int cnt);

/* Bottom halves (softirqs) off and on again around data they share. */
void __local_bh_disable_ip(unsigned long ip, unsigned int cnt);

static inline void local_bh_disable(void)
{
	__local_bh_disable_ip(0, 1);
}

static inline void local_bh_enable(void)
{
	__local_bh_enable_ip(0, 1);
}

#endif
