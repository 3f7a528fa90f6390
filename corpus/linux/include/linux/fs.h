/* Open files and struct file_operations, the table read(2)/write(2) go through. */
#ifndef _XR_FS_H
#define _XR_FS_H

#include <linux/types.h>
#include <linux/errno.h>

struct file;
struct inode;

struct file_operations {
	ssize_t (*read)(struct file *file, char __user *buf, size_t count, loff_t *pos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t count, loff_t *pos);
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
};

struct file {
	const struct file_operations *f_op;
	loff_t f_pos;
	unsigned int f_mode;
	void *private_data;
};

#define FMODE_READ	0x1
#define FMODE_WRITE	0x2

struct file *fget(unsigned int fd);
void fput(struct file *file);
ssize_t vfs_read(struct file *file, char __user *buf, size_t count, loff_t *pos);
ssize_t vfs_write(struct file *file, const char __user *buf, size_t count, loff_t *pos);
int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops);

#endif
