/* Turn macro arguments into strings after they have been expanded. */
#ifndef _XR_STRINGIFY_H
#define _XR_STRINGIFY_H

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

#endif
