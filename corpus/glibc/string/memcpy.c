/* Copy a block of memory, a machine word at a time where both ends are aligned.
   This is the C library's memcpy, not the kernel's: a kernel call of memcpy
   never lands here.  */
#include <stddef.h>

void _wordcopy_fwd_aligned (long int dstp, long int srcp, size_t len);

void *
memcpy (void *dstpp, const void *srcpp, size_t len)
{
  _wordcopy_fwd_aligned ((long int) dstpp, (long int) srcpp, len / sizeof (long int));
  return dstpp;
}
