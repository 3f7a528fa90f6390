/* Sub-call numbers of the socketcall(2) multiplexer, as user space passes them. */
#ifndef _XR_UAPI_NET_H
#define _XR_UAPI_NET_H

#define SYS_SOCKET	1
#define SYS_BIND	2
#define SYS_CONNECT	3
#define SYS_SEND	9
#define SYS_SENDTO	11
#define SYS_RECVFROM	12

#endif
