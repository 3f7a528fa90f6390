// SPDX-License-Identifier: GPL-2.0-only
/*
 * Softirqs: each number has one handler, set at boot. A bit per number says
 * which are pending; they run when the last bottom-half disable ends.
 */
#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/compiler_types.h>
#include <linux/interrupt.h>

static struct softirq_action softirq_vec[NR_SOFTIRQS];
static unsigned int pending_mask;
static unsigned int bh_depth;

void open_softirq(int nr, void (*action)(struct softirq_action *))
{
	softirq_vec[nr].action = action;
}

void raise_softirq(unsigned int nr)
{
	pending_mask |= 1U << nr;
}

asmlinkage __visible void __softirq_entry __do_softirq(void)
{
	unsigned int pending = pending_mask;
	struct softirq_action *h = softirq_vec;

	pending_mask = 0;
	for (; pending; pending >>= 1, h++) {
		if (pending & 1)
			h->action(h);
	}
}

void do_softirq(void)
{
	if (pending_mask)
		__do_softirq();
}

void __local_bh_disable_ip(unsigned long ip, unsigned int cnt)
{
	bh_depth += cnt;
}

void __local_bh_enable_ip(unsigned long ip, unsigned int cnt)
{
	bh_depth -= cnt;
	if (!bh_depth && pending_mask)
		do_softirq();
}
