/* getpagesize for POSIX systems without a better source. */
#include <sys/types.h>

int
__getpagesize (void)
{
  return 4096;
}
weak_alias (__getpagesize, getpagesize)
