#!/bin/sh
# Usage: make-syscalls.sh DIR
# Expects $sysdirs (the sysdeps search order, highest priority first) in the
# environment.  Prints make rules that build one wrapper object per row of
# DIR/syscalls.list, each by compiling syscall-template.S with the row's
# values defined, skipping rows that a source file higher in the search
# order already implements.

thisdir=$1; shift

# Only the directories searched before this one can override its rows.
before=`for dir in $sysdirs; do
	  test "$dir" = "$thisdir" && break; echo "$dir"; done`

sed -e 's/#.*$//' -e '/^[ 	]*$/d' "$thisdir/syscalls.list" |
while read file caller syscall args strong weak; do
  implemented=
  for dir in $before; do
    if test -f "$dir/$file.c" || test -f "$dir/$file.S"; then
      implemented="$dir/$file"
      break
    fi
  done
  if test -n "$implemented"; then
    echo "#### $file: implemented by $implemented, no wrapper"
    continue
  fi

  # Strip the E (no errno) prefix; the letters after the colon are arguments.
  noerrno=0
  case $args in
    E*) noerrno=1; args=`echo "$args" | sed 's/^E//'` ;;
  esac
  nargs=`echo "$args" | sed -e 's/^[^:]*://' | tr -d '\n' | wc -c`

  echo "\$(objpfx)$file.o: \$(..)sysdeps/unix/syscall-template.S"
  echo "	\$(compile-syscall) \\"
  echo "	  -DSYSCALL_NAME=$syscall -DSYSCALL_NARGS=$nargs \\"
  echo "	  -DSYSCALL_SYMBOL=$strong -DSYSCALL_NOERRNO=$noerrno \\"
  echo "	  -DSYSCALL_WEAK='$weak'"
done
