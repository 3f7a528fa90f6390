/* The basic types of the bundled libc. */
#ifndef _XR_SYS_TYPES_H
#define _XR_SYS_TYPES_H 1

typedef unsigned long int size_t;
typedef long int ssize_t;
typedef unsigned int socklen_t;
typedef int pid_t;
typedef unsigned int mode_t;

#define NULL ((void *) 0)

#endif
