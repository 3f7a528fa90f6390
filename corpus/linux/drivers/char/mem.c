// SPDX-License-Identifier: GPL-2.0
/* /dev/null and /dev/zero: the simplest character devices there are. */
#include <linux/types.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

static ssize_t read_null(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	return 0;
}

static ssize_t write_null(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	return count;
}

static int zero_chunk(char __user *buf, size_t chunk)
{
	return clear_user(buf, chunk) ? -EFAULT : 0;
}

static ssize_t read_zero(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	size_t done = 0;

	while (done < count) {
		size_t chunk = count - done < 64 ? count - done : 64;

		if (zero_chunk(buf + done, chunk))
			return -EFAULT;
		done += chunk;
	}
	return done;
}

static const struct file_operations null_fops = {
	.read		= read_null,
	.write		= write_null,
};

static const struct file_operations zero_fops = {
	.read		= read_zero,
	.write		= write_null,
};

int chr_dev_init(void)
{
	register_chrdev(1, "null", &null_fops);
	return register_chrdev(1, "zero", &zero_fops);
}
