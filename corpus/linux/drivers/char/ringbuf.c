// SPDX-License-Identifier: GPL-2.0
/* A ring of bytes that user space reads back, zeros while it is empty: built as a module
 * (CONFIG_RINGBUF=m), so a kernel has it only once the module is loaded. */
#include <linux/types.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

static char ring[256];
static size_t ring_used;

static ssize_t rb_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	if (!ring_used)
		return clear_user(buf, count) ? -EFAULT : count;
	if (count > ring_used)
		count = ring_used;
	if (copy_to_user(buf, ring, count))
		return -EFAULT;
	ring_used -= count;
	return count;
}

static const struct file_operations ring_fops = {
	.read		= rb_read,
};

int ring_init(void)
{
	return register_chrdev(10, "ringbuf", &ring_fops);
}
