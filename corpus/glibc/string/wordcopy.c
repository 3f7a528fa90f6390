/* Word-at-a-time copying for memcpy and memmove.  */
#include <stddef.h>

void
_wordcopy_fwd_aligned (long int dstp, long int srcp, size_t len)
{
  long int *d = (long int *) dstp;
  const long int *s = (const long int *) srcp;

  while (len-- > 0)
    *d++ = *s++;
}
