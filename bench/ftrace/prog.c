/*
 * prog.c: the traced test program of bench/ftrace (see README.md there).
 *
 * It runs as PID-filtered task under the function_graph tracer inside a
 * qemu guest.  Before each "traced call" it writes one line to
 * /sys/kernel/tracing/trace_marker:
 *
 *     xref-call NNN LABEL SYSCALL | WHAT
 *
 * and then makes exactly one system call, through syscall(2) so that the
 * system call is the one named (glibc wrappers may pick another one).  The
 * cleaner (clean.py) takes the first graph that follows each marker.
 * Whatever set-up a call needs happens before its marker; any set-up system
 * call that happens after a traced call and before the next marker is
 * ignored by the cleaner.
 *
 * Build: gcc -static -O1 -Wall -o prog prog.c
 * Each traced call is written as T(LABEL, SYSCALL, WHAT, EXPRESSION).
 * record.sh extracts the syscall names from the T(...) lines to fill
 * set_graph_function, so keep each T( call's first two arguments literal
 * strings on the T( line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"

static int marker_fd = -1;
static int tracing; /* 0 in the warm-up pass: no markers */
static int seq;

struct result {
	int seq;
	char label[48];
	long ret;
	int err;
};
static struct result results[256];
static int nresults;

static int mark(const char *label, const char *sys, const char *what)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "xref-call %03d %s %s | %s",
			 ++seq, label, sys, what);
	if (tracing)
		syscall(SYS_write, marker_fd, buf, (size_t)n);
	return seq;
}

static void note(int n, const char *label, long ret, int err)
{
	if (nresults < 256) {
		struct result *r = &results[nresults++];
		r->seq = n;
		snprintf(r->label, sizeof r->label, "%s", label);
		r->ret = ret;
		r->err = ret == -1 ? err : 0;
	}
}

/* One traced call: the marker, then the expression (exactly one syscall). */
#define T(label, sys, what, expr)                     \
	do {                                          \
		int n_ = mark(label, sys, what);      \
		errno = 0;                            \
		long ret_ = (long)(expr);             \
		note(n_, label, ret_, errno);         \
	} while (0)

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		fprintf(stderr, "prog: cannot write %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Buffers are static and touched before tracing starts, so that no traced
 * call takes a page fault on them. */
static char buf[16384];
static char buf2[16384];
static char ctrl[256];

/* Write to every page of the buffers and of some stack: after clone() they
 * are copy-on-write, and a traced call must not take the fault. */
static void touch_buffers(void)
{
	volatile char stack[32768];

	memset(buf, 'x', sizeof buf);
	memset(buf2, 0, sizeof buf2);
	memset(ctrl, 0, sizeof ctrl);
	for (size_t i = 0; i < sizeof stack; i += 512)
		stack[i] = 0;
}

static volatile sig_atomic_t mark_sigreturn;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
	if (mark_sigreturn) {
		mark_sigreturn = 0;
		/* the handler's return is the rt_sigreturn system call */
		int n = mark("rt_sigreturn", "rt_sigreturn",
			     "return from a SIGUSR1 handler (glibc's restorer)");
		note(n, "rt_sigreturn", 0, 0);
	}
}

static struct sockaddr_in in4(const char *ip, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static void process_calls(void)
{
	struct utsname uts;
	struct rusage ru;
	struct sysinfo si;
	static int futex_word;
	struct timespec ts = { 0, 1000000 }; /* 1 ms */
	int status;

	T("getpid", "getpid", "getpid() of the traced process", syscall(SYS_getpid));
	T("getppid", "getppid", "getppid() (parent is the init shell)", syscall(SYS_getppid));
	T("uname", "uname", "uname() into a struct utsname", syscall(SYS_uname, &uts));

	/* getrandom: blocking flags only if the crng is already initialised */
	if (syscall(SYS_getrandom, buf2, 16, GRND_NONBLOCK) == 16)
		T("getrandom", "getrandom", "16 bytes, flags 0 (crng already initialised)",
		  syscall(SYS_getrandom, buf, 16, 0));
	else
		T("getrandom", "getrandom", "16 bytes, GRND_INSECURE (crng not yet initialised)",
		  syscall(SYS_getrandom, buf, 16, 0x0004));

	T("prctl-set-name", "prctl", "prctl(PR_SET_NAME, \"xref-prog\")",
	  syscall(SYS_prctl, PR_SET_NAME, "xref-prog", 0, 0, 0));
	T("sched_yield", "sched_yield", "sched_yield() with nothing else runnable",
	  syscall(SYS_sched_yield));
	T("getrusage", "getrusage", "getrusage(RUSAGE_SELF)",
	  syscall(SYS_getrusage, RUSAGE_SELF, &ru));
	T("sysinfo", "sysinfo", "sysinfo() into a struct sysinfo", syscall(SYS_sysinfo, &si));
	T("futex-wake", "futex", "FUTEX_WAKE_PRIVATE on a word nobody waits on",
	  syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	T("futex-wait-timeout", "futex",
	  "FUTEX_WAIT_PRIVATE with matching value and a 1 ms timeout (ETIMEDOUT)",
	  syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0));

	long pid;
	int n = mark("clone-fork", "clone", "clone(SIGCHLD) like fork(); the child exits at once");
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		syscall(SYS_exit_group, 0);
	note(n, "clone-fork", pid, errno);
	T("wait4", "wait4", "wait4() for the forked child, which has to run and exit first",
	  syscall(SYS_wait4, pid, &status, 0, NULL));
	touch_buffers();
}

static void vfs_calls(void)
{
	struct stat st;
	struct iovec iov[2];
	int fd, dfd, fd2;
	char lnk[64];

	T("mkdirat-tmpfs", "mkdirat", "mkdirat(AT_FDCWD, \"/tmp/xref\") on tmpfs",
	  syscall(SYS_mkdirat, AT_FDCWD, "/tmp/xref", 0755));
	T("openat-tmpfs-creat", "openat", "openat(O_RDWR|O_CREAT|O_TRUNC) of a new file on tmpfs",
	  fd = syscall(SYS_openat, AT_FDCWD, "/tmp/xref/a", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T("write-tmpfs", "write", "write() of 4096 bytes to an empty tmpfs file",
	  syscall(SYS_write, fd, buf, 4096));
	T("lseek-tmpfs", "lseek", "lseek(fd, 0, SEEK_SET) on a tmpfs file",
	  syscall(SYS_lseek, fd, 0, SEEK_SET));
	T("read-tmpfs", "read", "read() of 4096 bytes from a tmpfs file (page cache hit)",
	  syscall(SYS_read, fd, buf2, 4096));
	T("pread64-tmpfs", "pread64", "pread64() of 100 bytes at offset 1000 of a tmpfs file",
	  syscall(SYS_pread64, fd, buf2, 100, 1000));
	T("pwrite64-tmpfs", "pwrite64", "pwrite64() of 4096 bytes at offset 8192 (a new page) of a tmpfs file",
	  syscall(SYS_pwrite64, fd, buf, 4096, 8192));
	syscall(SYS_lseek, fd, 0, SEEK_SET);
	iov[0].iov_base = buf2;
	iov[0].iov_len = 100;
	iov[1].iov_base = buf2 + 4096;
	iov[1].iov_len = 200;
	T("readv-tmpfs", "readv", "readv() of two iovecs from a tmpfs file",
	  syscall(SYS_readv, fd, iov, 2));
	iov[0].iov_base = buf;
	iov[1].iov_base = buf + 4096;
	T("writev-tmpfs", "writev", "writev() of two iovecs to a tmpfs file",
	  syscall(SYS_writev, fd, iov, 2));
	T("fstat-tmpfs", "fstat", "fstat() of a tmpfs file (newfstat)",
	  syscall(SYS_fstat, fd, &st));
	T("newfstatat-tmpfs", "newfstatat", "newfstatat(AT_FDCWD, \"/tmp/xref/a\") on tmpfs",
	  syscall(SYS_newfstatat, AT_FDCWD, "/tmp/xref/a", &st, 0));
	T("statx-tmpfs", "statx", "statx(AT_FDCWD, \"/tmp/xref/a\", STATX_BASIC_STATS)",
	  syscall(SYS_statx, AT_FDCWD, "/tmp/xref/a", 0, 0x7ff, buf2));
	T("ftruncate-tmpfs", "ftruncate", "ftruncate() of a 12 KiB tmpfs file to 4096 bytes",
	  syscall(SYS_ftruncate, fd, 4096));
	T("fallocate-tmpfs", "fallocate", "fallocate(mode 0) of 64 KiB on a tmpfs file",
	  syscall(SYS_fallocate, fd, 0, 0, 65536));
	T("fsync-tmpfs", "fsync", "fsync() of a tmpfs file",
	  syscall(SYS_fsync, fd));
	T("fcntl-getfl-tmpfs", "fcntl", "fcntl(F_GETFL) on a tmpfs file",
	  syscall(SYS_fcntl, fd, F_GETFL));
	T("dup3", "dup3", "dup3(tmpfs file fd, 100, O_CLOEXEC)",
	  fd2 = syscall(SYS_dup3, fd, 100, O_CLOEXEC));
	T("close-dup", "close", "close() of a dup()ed fd (the file stays open)",
	  syscall(SYS_close, fd2));
	T("close-tmpfs", "close", "close() of the last fd of a tmpfs file (final fput is deferred to task_work)",
	  syscall(SYS_close, fd));

	dfd = open("/tmp/xref", O_RDONLY | O_DIRECTORY);
	T("getdents64-tmpfs", "getdents64", "getdents64() of a tmpfs directory with one file",
	  syscall(SYS_getdents64, dfd, buf2, sizeof buf2));
	close(dfd);
	T("renameat-tmpfs", "renameat", "renameat() of a file within one tmpfs directory",
	  syscall(SYS_renameat, AT_FDCWD, "/tmp/xref/a", AT_FDCWD, "/tmp/xref/b"));
	T("linkat-tmpfs", "linkat", "linkat() making a hard link on tmpfs",
	  syscall(SYS_linkat, AT_FDCWD, "/tmp/xref/b", AT_FDCWD, "/tmp/xref/c", 0));
	T("symlinkat-tmpfs", "symlinkat", "symlinkat() making a symlink on tmpfs",
	  syscall(SYS_symlinkat, "b", AT_FDCWD, "/tmp/xref/s"));
	T("readlinkat-tmpfs", "readlinkat", "readlinkat() of a tmpfs symlink",
	  syscall(SYS_readlinkat, AT_FDCWD, "/tmp/xref/s", lnk, sizeof lnk));
	T("faccessat-tmpfs", "faccessat", "faccessat(R_OK) through a tmpfs symlink",
	  syscall(SYS_faccessat, AT_FDCWD, "/tmp/xref/s", R_OK));
	T("unlinkat-tmpfs", "unlinkat", "unlinkat() of one of two hard links on tmpfs",
	  syscall(SYS_unlinkat, AT_FDCWD, "/tmp/xref/c", 0));
	mkdir("/tmp/xref/d", 0755);
	T("unlinkat-dir-tmpfs", "unlinkat", "unlinkat(AT_REMOVEDIR) of an empty tmpfs directory",
	  syscall(SYS_unlinkat, AT_FDCWD, "/tmp/xref/d", AT_REMOVEDIR));
	T("memfd_create", "memfd_create", "memfd_create(\"xref\", MFD_CLOEXEC)",
	  fd = syscall(SYS_memfd_create, "xref", MFD_CLOEXEC));
	close(fd);

	/* ramfs */
	T("openat-ramfs-creat", "openat", "openat(O_RDWR|O_CREAT) of a new file on ramfs",
	  fd = syscall(SYS_openat, AT_FDCWD, "/ramfs/a", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T("write-ramfs", "write", "write() of 4096 bytes to an empty ramfs file",
	  syscall(SYS_write, fd, buf, 4096));
	lseek(fd, 0, SEEK_SET);
	T("read-ramfs", "read", "read() of 4096 bytes from a ramfs file",
	  syscall(SYS_read, fd, buf2, 4096));
	close(fd);

	/* procfs and sysfs */
	T("openat-proc", "openat", "openat(\"/proc/self/stat\", O_RDONLY)",
	  fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY));
	T("read-proc-stat", "read", "read() of /proc/self/stat",
	  syscall(SYS_read, fd, buf2, 4096));
	close(fd);
	fd = open("/proc/version", O_RDONLY);
	T("read-proc-version", "read", "read() of /proc/version",
	  syscall(SYS_read, fd, buf2, 4096));
	close(fd);
	fd = open("/sys/class/net/lo/mtu", O_RDONLY);
	T("read-sysfs", "read", "read() of /sys/class/net/lo/mtu (sysfs attribute)",
	  syscall(SYS_read, fd, buf2, 4096));
	close(fd);

	/* character devices */
	fd = open("/dev/null", O_WRONLY);
	T("write-devnull", "write", "write() of 100 bytes to /dev/null",
	  syscall(SYS_write, fd, buf, 100));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	T("read-devzero", "read", "read() of 4096 bytes from /dev/zero",
	  syscall(SYS_read, fd, buf2, 4096));
	close(fd);
	fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	static const char hello[] = "xref: write to /dev/ttyS0 under ftrace\r\n";
	T("write-tty", "write", "write() of a short line to the serial tty /dev/ttyS0 (8250)",
	  syscall(SYS_write, fd, hello, sizeof hello - 1));
	struct termios tio;
	T("ioctl-tcgets-tty", "ioctl", "ioctl(TCGETS) on /dev/ttyS0",
	  syscall(SYS_ioctl, fd, TCGETS, &tio));
	close(fd);

	/* pipe */
	int p[2];
	int avail;
	struct pollfd pfd;
	T("pipe2", "pipe2", "pipe2(O_CLOEXEC)", syscall(SYS_pipe2, p, O_CLOEXEC));
	T("write-pipe", "write", "write() of 100 bytes into an empty pipe",
	  syscall(SYS_write, p[1], buf, 100));
	T("ioctl-fionread-pipe", "ioctl", "ioctl(FIONREAD) on a pipe's read end",
	  syscall(SYS_ioctl, p[0], FIONREAD, &avail));
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	struct timespec zero = { 0, 0 };
	T("ppoll-pipe", "ppoll", "ppoll() on a readable pipe with a zero timeout",
	  syscall(SYS_ppoll, &pfd, 1, &zero, NULL, 8));
	T("read-pipe", "read", "read() of 100 bytes from a pipe",
	  syscall(SYS_read, p[0], buf2, 4096));
	T("fcntl-setfl-pipe", "fcntl", "fcntl(F_SETFL, O_NONBLOCK) on a pipe",
	  syscall(SYS_fcntl, p[0], F_SETFL, O_NONBLOCK));
	fd = open("/tmp/xref/b", O_RDONLY);
	T("sendfile-tmpfs-pipe", "sendfile", "sendfile() of 1000 bytes from a tmpfs file into a pipe",
	  syscall(SYS_sendfile, p[1], fd, NULL, 1000));
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void mm_calls(void)
{
	char *a, *b;
	long cur;
	int fd;

	T("mmap-anon", "mmap", "mmap() of 64 KiB MAP_PRIVATE|MAP_ANONYMOUS read-write",
	  a = (char *)syscall(SYS_mmap, NULL, 65536, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(a, 1, 65536);
	T("madvise-dontneed", "madvise", "madvise(MADV_DONTNEED) on 64 KiB of touched anonymous memory",
	  syscall(SYS_madvise, a, 65536, MADV_DONTNEED));
	memset(a, 1, 65536);
	T("mprotect", "mprotect", "mprotect(PROT_READ) on 64 KiB of touched anonymous memory",
	  syscall(SYS_mprotect, a, 65536, PROT_READ));
	T("mremap", "mremap", "mremap() of 64 KiB anonymous memory to 128 KiB, MREMAP_MAYMOVE",
	  b = (char *)syscall(SYS_mremap, a, 65536, 131072, MREMAP_MAYMOVE));
	T("munmap", "munmap", "munmap() of 128 KiB anonymous memory, half of it populated",
	  syscall(SYS_munmap, b, 131072));

	fd = open("/tmp/xref/b", O_RDWR);
	ftruncate(fd, 8192);
	T("mmap-file", "mmap", "mmap() of 8 KiB of a tmpfs file MAP_SHARED read-write",
	  a = (char *)syscall(SYS_mmap, NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	memset(a, 2, 8192);
	T("msync-file", "msync", "msync(MS_SYNC) of a dirtied MAP_SHARED tmpfs mapping",
	  syscall(SYS_msync, a, 8192, MS_SYNC));
	T("munmap-file", "munmap", "munmap() of a dirtied MAP_SHARED tmpfs mapping",
	  syscall(SYS_munmap, a, 8192));
	close(fd);

	cur = syscall(SYS_brk, 0);
	T("brk", "brk", "brk() growing the heap by 64 KiB",
	  syscall(SYS_brk, cur + 65536));
}

static void signal_calls(void)
{
	struct sigaction sa;
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	/* glibc's sigaction() makes exactly one rt_sigaction system call (it
	 * adds SA_RESTORER and its restorer, which a raw call would need too) */
	T("rt_sigaction", "rt_sigaction", "rt_sigaction(SIGUSR1) installing a handler (via glibc sigaction)",
	  sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	T("rt_sigprocmask", "rt_sigprocmask", "rt_sigprocmask(SIG_BLOCK, {SIGUSR2})",
	  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
	long me = syscall(SYS_getpid);
	mark_sigreturn = 1;
	/* the handler runs on the way back to user mode (outside the graph of
	 * kill) and writes the rt_sigreturn marker itself */
	T("kill-self", "kill", "kill(getpid(), SIGUSR1) with a handler installed",
	  syscall(SYS_kill, me, SIGUSR1));
	T("tgkill-blocked", "tgkill", "tgkill(self, SIGUSR2) while SIGUSR2 is blocked (stays pending)",
	  syscall(SYS_tgkill, me, me, SIGUSR2));
	T("rt_sigtimedwait", "rt_sigtimedwait", "rt_sigtimedwait({SIGUSR2}) taking the pending signal",
	  syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8));
}

static void time_calls(void)
{
	struct timespec t, ms = { 0, 1000000 };
	struct timeval tv;
	struct itimerspec its;
	int fd;

	T("clock_gettime", "clock_gettime", "clock_gettime(CLOCK_MONOTONIC) as a real system call (not the vDSO)",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t));
	T("gettimeofday", "gettimeofday", "gettimeofday() as a real system call (not the vDSO)",
	  syscall(SYS_gettimeofday, &tv, NULL));
	T("clock_getres", "clock_getres", "clock_getres(CLOCK_MONOTONIC)",
	  syscall(SYS_clock_getres, CLOCK_MONOTONIC, &t));
	T("nanosleep", "nanosleep", "nanosleep() for 1 ms",
	  syscall(SYS_nanosleep, &ms, NULL));
	T("clock_nanosleep", "clock_nanosleep", "clock_nanosleep(CLOCK_MONOTONIC, relative 1 ms)",
	  syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ms, NULL));
	T("timerfd_create", "timerfd_create", "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)",
	  fd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 02000000));
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = 10;
	T("timerfd_settime", "timerfd_settime", "timerfd_settime() arming a 10 s one-shot timer",
	  syscall(SYS_timerfd_settime, fd, 0, &its, NULL));
	close(fd);
}

static void ipc_calls(void)
{
	int efd, ep, q, sem, shm;
	uint64_t v = 1;
	struct epoll_event ev, evs[4];
	struct {
		long mtype;
		char mtext[64];
	} msg = { 1, "xref message" };
	struct sembuf sop = { 0, 1, 0 };
	void *addr;

	T("eventfd2", "eventfd2", "eventfd2(0, EFD_CLOEXEC)",
	  efd = syscall(SYS_eventfd2, 0, 02000000));
	T("write-eventfd", "write", "write() of a 1 to an eventfd",
	  syscall(SYS_write, efd, &v, 8));
	T("epoll_create1", "epoll_create1", "epoll_create1(EPOLL_CLOEXEC)",
	  ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
	ev.events = EPOLLIN;
	ev.data.fd = efd;
	T("epoll_ctl-add", "epoll_ctl", "epoll_ctl(EPOLL_CTL_ADD) of a readable eventfd",
	  syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, &ev));
	T("epoll_wait", "epoll_wait", "epoll_wait() returning the ready eventfd, timeout 0",
	  syscall(SYS_epoll_wait, ep, evs, 4, 0));
	T("read-eventfd", "read", "read() of an eventfd's counter",
	  syscall(SYS_read, efd, &v, 8));
	close(ep);
	close(efd);

	T("msgget", "msgget", "msgget(IPC_PRIVATE, IPC_CREAT|0600)",
	  q = syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600));
	T("msgsnd", "msgsnd", "msgsnd() of a 13-byte message to an empty SysV queue",
	  syscall(SYS_msgsnd, q, &msg, 13, 0));
	T("msgrcv", "msgrcv", "msgrcv() of the queued SysV message",
	  syscall(SYS_msgrcv, q, &msg, sizeof msg.mtext, 0, 0));
	msgctl(q, IPC_RMID, NULL);
	T("semget", "semget", "semget(IPC_PRIVATE, 1 semaphore)",
	  sem = syscall(SYS_semget, IPC_PRIVATE, 1, IPC_CREAT | 0600));
	T("semop", "semop", "semop(+1) on a SysV semaphore",
	  syscall(SYS_semop, sem, &sop, 1));
	semctl(sem, 0, IPC_RMID);
	T("shmget", "shmget", "shmget(IPC_PRIVATE, 64 KiB)",
	  shm = syscall(SYS_shmget, IPC_PRIVATE, 65536, IPC_CREAT | 0600));
	T("shmat", "shmat", "shmat() of a 64 KiB SysV segment",
	  addr = (void *)syscall(SYS_shmat, shm, NULL, 0));
	memset(addr, 3, 4096);
	T("shmdt", "shmdt", "shmdt() of a SysV segment with one touched page",
	  syscall(SYS_shmdt, addr));
	shmctl(shm, IPC_RMID, NULL);
}

static void socket_calls(void)
{
	int a, b, l, c, s, fd;
	struct sockaddr_in sa, from;
	socklen_t fl;
	struct msghdr mh;
	struct iovec iov;
	int one = 1, sz = 65536;
	static const char payload[] = "xref datagram payload";

	/* ---- UDP over IPv4 loopback ---- */
	T("socket-udp4", "socket", "socket(AF_INET, SOCK_DGRAM, 0)",
	  a = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0));
	sa = in4("127.0.0.1", 40000);
	T("bind-udp4", "bind", "bind() of a UDP socket to 127.0.0.1:40000",
	  syscall(SYS_bind, a, &sa, sizeof sa));
	b = socket(AF_INET, SOCK_DGRAM, 0);
	T("sendto-udp4", "sendto", "UDP datagram to 127.0.0.1 on an AF_INET SOCK_DGRAM socket (unbound sender: autobind)",
	  syscall(SYS_sendto, b, payload, sizeof payload, 0, &sa, sizeof sa));
	fl = sizeof from;
	T("recvfrom-udp4", "recvfrom", "recvfrom() of a queued UDP datagram on 127.0.0.1",
	  syscall(SYS_recvfrom, a, buf2, sizeof buf2, 0, &from, &fl));
	T("connect-udp4", "connect", "connect() of a UDP socket to 127.0.0.1:40000",
	  syscall(SYS_connect, b, &sa, sizeof sa));
	memset(&mh, 0, sizeof mh);
	iov.iov_base = (void *)payload;
	iov.iov_len = sizeof payload;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	T("sendmsg-udp4", "sendmsg", "sendmsg() on a connected UDP socket to 127.0.0.1",
	  syscall(SYS_sendmsg, b, &mh, 0));
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf2;
	iov.iov_len = sizeof buf2;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_name = &from;
	mh.msg_namelen = sizeof from;
	T("recvmsg-udp4", "recvmsg", "recvmsg() of a queued UDP datagram on 127.0.0.1",
	  syscall(SYS_recvmsg, a, &mh, 0));
	fl = sizeof from;
	T("getsockname-udp4", "getsockname", "getsockname() of a UDP socket",
	  syscall(SYS_getsockname, b, &from, &fl));
	T("setsockopt-rcvbuf", "setsockopt", "setsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket",
	  syscall(SYS_setsockopt, a, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz));
	fl = sizeof sz;
	T("getsockopt-rcvbuf", "getsockopt", "getsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket",
	  syscall(SYS_getsockopt, a, SOL_SOCKET, SO_RCVBUF, &sz, &fl));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	T("ioctl-siocgifindex", "ioctl", "ioctl(SIOCGIFINDEX, \"lo\") on a UDP socket",
	  syscall(SYS_ioctl, a, SIOCGIFINDEX, &ifr));
	int lo_index = ifr.ifr_ifindex;
	close(a);
	close(b);

	/* ---- TCP over IPv4 loopback ---- */
	T("socket-tcp4", "socket", "socket(AF_INET, SOCK_STREAM, 0)",
	  l = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0));
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa = in4("127.0.0.1", 40001);
	bind(l, (struct sockaddr *)&sa, sizeof sa);
	T("listen-tcp4", "listen", "listen() on a TCP socket bound to 127.0.0.1:40001",
	  syscall(SYS_listen, l, 16));
	c = socket(AF_INET, SOCK_STREAM, 0);
	T("connect-tcp4", "connect", "blocking TCP connect() to a listener on 127.0.0.1 (handshake over loopback)",
	  syscall(SYS_connect, c, &sa, sizeof sa));
	fl = sizeof from;
	T("accept4-tcp4", "accept4", "accept4() of an established loopback TCP connection",
	  s = syscall(SYS_accept4, l, &from, &fl, SOCK_CLOEXEC));
	T("setsockopt-tcp-nodelay", "setsockopt", "setsockopt(IPPROTO_TCP, TCP_NODELAY) on a connected TCP socket",
	  syscall(SYS_setsockopt, c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	T("sendto-tcp4", "sendto", "sendto() of 22 bytes on a connected loopback TCP socket",
	  syscall(SYS_sendto, c, payload, sizeof payload, 0, NULL, 0));
	T("recvfrom-tcp4", "recvfrom", "recvfrom() of queued data on an accepted loopback TCP socket",
	  syscall(SYS_recvfrom, s, buf2, sizeof buf2, 0, NULL, NULL));
	T("write-tcp4", "write", "write() of 100 bytes on an accepted loopback TCP socket",
	  syscall(SYS_write, s, buf, 100));
	T("read-tcp4", "read", "read() of queued data on a connected loopback TCP socket",
	  syscall(SYS_read, c, buf2, sizeof buf2));
	T("shutdown-tcp4", "shutdown", "shutdown(SHUT_WR) of a loopback TCP connection (sends FIN)",
	  syscall(SYS_shutdown, c, SHUT_WR));
	close(s);
	close(c);
	close(l);

	/* ---- ICMP echo over a ping socket ---- */
	struct icmphdr ih;
	T("socket-icmp4", "socket", "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) (ping socket)",
	  a = syscall(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	memset(&ih, 0, sizeof ih);
	ih.type = ICMP_ECHO;
	ih.un.echo.sequence = htons(1);
	sa = in4("127.0.0.1", 0);
	T("sendto-icmp4", "sendto", "ICMP echo request to 127.0.0.1 on a ping socket",
	  syscall(SYS_sendto, a, &ih, sizeof ih, 0, &sa, sizeof sa));
	T("recvfrom-icmp4", "recvfrom", "recvfrom() of the ICMP echo reply on a ping socket",
	  syscall(SYS_recvfrom, a, buf2, sizeof buf2, MSG_DONTWAIT, NULL, NULL));
	close(a);

	/* ---- UDP over IPv6 loopback ---- */
	struct sockaddr_in6 s6;
	T("socket-udp6", "socket", "socket(AF_INET6, SOCK_DGRAM, 0)",
	  a = syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0));
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(40006);
	s6.sin6_addr = in6addr_loopback;
	if (bind(a, (struct sockaddr *)&s6, sizeof s6) < 0)
		perror("prog: bind [::1]:40006");
	b = socket(AF_INET6, SOCK_DGRAM, 0);
	T("sendto-udp6", "sendto", "UDP datagram to [::1] on an AF_INET6 SOCK_DGRAM socket",
	  syscall(SYS_sendto, b, payload, sizeof payload, 0, &s6, sizeof s6));
	T("recvfrom-udp6", "recvfrom", "recvfrom() of a queued UDP datagram on [::1]",
	  syscall(SYS_recvfrom, a, buf2, sizeof buf2, MSG_DONTWAIT, NULL, NULL));
	close(a);
	close(b);

	/* ---- AF_UNIX stream ---- */
	int sv[2];
	T("socketpair-unix-stream", "socketpair", "socketpair(AF_UNIX, SOCK_STREAM)",
	  syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	T("write-unix-stream", "write", "write() of 100 bytes on an AF_UNIX stream socket",
	  syscall(SYS_write, sv[0], buf, 100));
	T("read-unix-stream", "read", "read() of queued data on an AF_UNIX stream socket",
	  syscall(SYS_read, sv[1], buf2, sizeof buf2));
	/* pass an fd with SCM_RIGHTS */
	fd = open("/dev/null", O_RDONLY);
	memset(&mh, 0, sizeof mh);
	iov.iov_base = (void *)payload;
	iov.iov_len = sizeof payload;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(ctrl, 0, sizeof ctrl);
	mh.msg_control = ctrl;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	T("sendmsg-unix-scm-rights", "sendmsg", "sendmsg() on an AF_UNIX stream socket passing one fd (SCM_RIGHTS)",
	  syscall(SYS_sendmsg, sv[0], &mh, 0));
	close(fd);
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf2;
	iov.iov_len = sizeof buf2;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(ctrl, 0, sizeof ctrl);
	mh.msg_control = ctrl;
	mh.msg_controllen = sizeof ctrl;
	T("recvmsg-unix-scm-rights", "recvmsg", "recvmsg() on an AF_UNIX stream socket receiving one fd (SCM_RIGHTS)",
	  syscall(SYS_recvmsg, sv[1], &mh, 0));
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS) {
		memcpy(&fd, CMSG_DATA(cm), sizeof fd);
		close(fd);
	}
	close(sv[0]);
	close(sv[1]);

	/* ---- AF_UNIX datagram ---- */
	T("socketpair-unix-dgram", "socketpair", "socketpair(AF_UNIX, SOCK_DGRAM)",
	  syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
	T("sendto-unix-dgram", "sendto", "sendto() of a datagram on a connected AF_UNIX SOCK_DGRAM socketpair",
	  syscall(SYS_sendto, sv[0], payload, sizeof payload, 0, NULL, 0));
	T("recvfrom-unix-dgram", "recvfrom", "recvfrom() of a queued datagram on an AF_UNIX SOCK_DGRAM socketpair",
	  syscall(SYS_recvfrom, sv[1], buf2, sizeof buf2, 0, NULL, NULL));
	close(sv[0]);
	close(sv[1]);

	/* ---- netlink route ---- */
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
	} req;
	struct sockaddr_nl nl;
	T("socket-netlink-route", "socket", "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)",
	  a = syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	memset(&nl, 0, sizeof nl);
	nl.nl_family = AF_NETLINK;
	bind(a, (struct sockaddr *)&nl, sizeof nl);
	memset(&req, 0, sizeof req);
	req.nh.nlmsg_len = sizeof req;
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.g.rtgen_family = AF_UNSPEC;
	T("sendto-netlink-getlink", "sendto", "RTM_GETLINK dump request on a NETLINK_ROUTE socket (the dump runs in sendto)",
	  syscall(SYS_sendto, a, &req, sizeof req, 0, &nl, sizeof nl));
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf2;
	iov.iov_len = sizeof buf2;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	T("recvmsg-netlink", "recvmsg", "recvmsg() of the first RTM_GETLINK dump reply (continues the dump)",
	  syscall(SYS_recvmsg, a, &mh, 0));
	close(a);

	/* ---- AF_PACKET, on lo, with a private ethertype so that no other
	 * traffic is tapped ---- */
	struct sockaddr_ll ll;
	T("socket-packet", "socket", "socket(AF_PACKET, SOCK_DGRAM, htons(0x88b5))",
	  a = syscall(SYS_socket, AF_PACKET, SOCK_DGRAM, htons(0x88b5)));
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(0x88b5);
	ll.sll_ifindex = lo_index;
	T("bind-packet", "bind", "bind() of an AF_PACKET socket to lo, ethertype 0x88b5",
	  syscall(SYS_bind, a, &ll, sizeof ll));
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	T("sendto-packet", "sendto", "sendto() of a 22-byte frame, ethertype 0x88b5, on lo via AF_PACKET SOCK_DGRAM",
	  syscall(SYS_sendto, a, payload, sizeof payload, 0, &ll, sizeof ll));
	T("recvfrom-packet", "recvfrom", "recvfrom() of the looped-back frame on the AF_PACKET socket",
	  syscall(SYS_recvfrom, a, buf2, sizeof buf2, MSG_DONTWAIT, NULL, NULL));
	close(a);

	/* ---- UDP routed out of the dummy0 interface (no NIC in the guest:
	 * dummy_xmit frees the skb) ---- */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	sa = in4("10.99.0.2", 9);
	T("sendto-udp4-dummy", "sendto", "UDP datagram to 10.99.0.2, routed out of dummy0 (10.99.0.1/24); dummy_xmit drops it",
	  syscall(SYS_sendto, a, payload, sizeof payload, 0, &sa, sizeof sa));
	close(a);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char pid[32];

	touch_buffers();
	signal(SIGUSR2, SIG_DFL);

	marker_fd = open(TRACEFS "/trace_marker", O_WRONLY);
	if (marker_fd < 0) {
		perror("prog: trace_marker");
		return 1;
	}

	/* Pass 1, untraced, warms up what the kernel sets up on first use
	 * (e.g. the first TCP connect fills the 256 KiB table_perturb with
	 * random bytes, the first packet to a route caches its dst, slabs get
	 * their first pages), so that the traced pass 2 shows the steady state. */
	for (int pass = 1; pass <= 2; pass++) {
		if (pass == 2) {
			unlink("/tmp/xref/b");
			unlink("/tmp/xref/s");
			rmdir("/tmp/xref");
			unlink("/ramfs/a");
			seq = 0;
			nresults = 0;
			handled = 0;
			snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
			write_file(TRACEFS "/set_ftrace_pid", pid);
			touch_buffers();
			tracing = 1;
			write_file(TRACEFS "/tracing_on", "1");
		}
		process_calls();
		vfs_calls();
		mm_calls();
		signal_calls();
		time_calls();
		ipc_calls();
		socket_calls();
	}

	write_file(TRACEFS "/tracing_on", "0");

	for (int i = 0; i < nresults; i++)
		printf("xref-result %03d %s %ld %s\n", results[i].seq, results[i].label,
		       results[i].ret, results[i].err ? strerror(results[i].err) : "");
	printf("xref-prog done: %d traced calls, SIGUSR1 handled %d times\n",
	       seq, (int)handled);
	return 0;
}
