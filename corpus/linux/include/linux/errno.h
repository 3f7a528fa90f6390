/* Error numbers returned (negated) by system calls. */
#ifndef _XR_ERRNO_H
#define _XR_ERRNO_H

#define EPERM		1
#define EBADF		9
#define EFAULT		14
#define EINVAL		22
#define ENOSYS		38
#define ENOTSOCK	88
#define EAFNOSUPPORT	97
#define ENOBUFS		105

#endif
