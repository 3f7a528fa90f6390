/* Exporting symbols to modules: each export leaves a named string behind. */
#ifndef _XR_EXPORT_H
#define _XR_EXPORT_H

#define ___EXPORT_SYMBOL(sym, sec)					\
	extern typeof(sym) sym;						\
	static const char __kstrtab_##sym[]				\
	__attribute__((section("__ksymtab_strings"), used)) = #sym

#define EXPORT_SYMBOL(sym)		___EXPORT_SYMBOL(sym, "")
#define EXPORT_SYMBOL_GPL(sym)		___EXPORT_SYMBOL(sym, "_gpl")

#endif
