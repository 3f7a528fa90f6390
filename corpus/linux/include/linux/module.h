/* Module metadata; a module build defines MODULE and KBUILD_MODNAME. */
#ifndef _XR_MODULE_H
#define _XR_MODULE_H

#include <linux/export.h>

#define __XR_PASTE(a, b)	a##b
#define __XR_UNIQUE(prefix, n)	__XR_PASTE(prefix, n)

#define MODULE_INFO(tag, info)						\
	static const char __XR_UNIQUE(__mod_##tag, __LINE__)[]		\
	__attribute__((section(".modinfo"), used)) = #tag "=" info

#define MODULE_LICENSE(_license)	MODULE_INFO(license, _license)
#define MODULE_DESCRIPTION(_desc)	MODULE_INFO(description, _desc)

#define module_init(fn)	int init_module(void) { return fn(); }
#define module_exit(fn)	void cleanup_module(void) { fn(); }

#endif
