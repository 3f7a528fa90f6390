/* errno, as libc's own code sets it. */
#ifndef _XR_ERRNO_H
#define _XR_ERRNO_H 1

#define ENOSYS		38
#define EINVAL		22

#ifndef __ASSEMBLER__
extern int errno;
# define __set_errno(val) (errno = (val))
#endif

#endif
