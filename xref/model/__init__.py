"""The execution model: ABIs, syscall tables, dispatch, and the paths a system call takes."""
