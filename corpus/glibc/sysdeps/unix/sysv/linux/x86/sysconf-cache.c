/* Cache geometry for sysconf on x86 Linux: both ports share this file. */
long int
__x86_cache_line_size (void)
{
  return 64;
}
