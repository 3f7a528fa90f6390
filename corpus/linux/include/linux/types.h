/* Fixed-size integer types and the few library types the tree needs. */
#ifndef _XR_TYPES_H
#define _XR_TYPES_H

#include <linux/compiler_types.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;

typedef unsigned long size_t;
typedef long ssize_t;
typedef long long loff_t;
typedef unsigned int gfp_t;
typedef int pid_t;
typedef _Bool bool;

#define true	1
#define false	0
#define NULL	((void *)0)

#endif
