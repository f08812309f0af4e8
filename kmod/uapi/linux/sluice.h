/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sluice: generic netlink interface shared by sluice.ko and userspace.
 *
 * One family, "sluice", version 1.  Every request is strictly validated
 * (unknown attributes are rejected); every command that changes state
 * needs CAP_NET_ADMIN over the network namespace of the socket.
 *
 * WL_ADD and WL_DEL take SOURCE (default "static"), TIMEOUT (ADD only,
 * seconds, 1..INT_MAX/HZ) and one or more SLUICE_A_PREFIX nests; PLEN
 * absent means a host.  WL_GET dumps one message per (prefix, source),
 * optionally for one SOURCE.  LAN_IFS holds 0..16 IFNAME attributes and
 * replaces the whole LAN set.  LOOKUP takes an ADDRESS nest (PLEN is
 * ignored).  The counter EXISTING counts TCP segments that are not a SYN
 * and find no transparent socket: flows decided earlier, left as they are.
 *
 * Lists: every WL_* command, and GET_COUNTERS (for its MEMORY nest), takes
 * an optional SLUICE_A_LIST (enum sluice_list, default WHITE).  The lists
 * are independent tables with the same sources, timeouts, transactions and
 * limit (max_entries applies to each list).  WL_LOOKUP on a list answers
 * for that list only; CLASSIFY consults whichever lists the decision needs.
 *
 * Per-flow verdicts: the decision of a flow's first packet is kept in its
 * conntrack entry, in the two bits of the ct mark that CT_MASK names (the
 * lower one: direct, the higher one: proxied; default 0x30000000).  Later
 * packets, in either direction, follow it; FLOWS_FLUSH clears it in every
 * entry (or those whose original destination is in ADDRESS, a prefix) so
 * that their next packet is decided again (docs/flows.md).
 *
 * Decision order of a new flow (docs/design.md; enum sluice_rule names
 * each step that ends it):
 *   disabled, not lan (or, for the gateway's own packets: local off),
 *   not tcp/udp, bypass mark, source selection (SRC list and SRC_MACS,
 *   by SRC_MODE), DNS (dport 53 with DNS_PORT set), white_list, local
 *   address, default (PROXY: redirect; DIRECT: redirect only what the
 *   PROXY list holds), QUIC reject (UDP dport 443 that would be
 *   redirected), UDP in redirect mode, loop guard (the gateway's own
 *   packets from the tunnel client's cgroup), then redirect.
 */
#ifndef _UAPI_LINUX_SLUICE_H
#define _UAPI_LINUX_SLUICE_H

#define SLUICE_GENL_NAME	"sluice"
#define SLUICE_GENL_VERSION	1

/* Longest source name, without the terminating NUL. */
#define SLUICE_SOURCE_MAXLEN	31
/* Most LAN interfaces one namespace can classify. */
#define SLUICE_MAX_LAN_IFS	16
/* Longest interface name, without NUL (IFNAMSIZ - 1). */
#define SLUICE_IFNAME_MAXLEN	15
/* Most source MAC addresses in SLUICE_A_SRC_MACS. */
#define SLUICE_MAX_SRC_MACS	64

enum sluice_cmd {
	SLUICE_CMD_UNSPEC,
	SLUICE_CMD_GET_CONFIG,		/* doit: reply carries config attrs */
	SLUICE_CMD_SET_CONFIG,		/* doit: any subset of config attrs */
	SLUICE_CMD_GET_COUNTERS,	/* doit: SLUICE_A_COUNTERS, SLUICE_A_MEMORY */
	SLUICE_CMD_WL_ADD,		/* SOURCE?, TIMEOUT?, PREFIX+ */
	SLUICE_CMD_WL_DEL,		/* SOURCE?, PREFIX+ */
	SLUICE_CMD_WL_GET,		/* dump: one message per entry */
	SLUICE_CMD_WL_FLUSH,		/* SOURCE? (absent: every source) */
	SLUICE_CMD_WL_LOOKUP,		/* ADDRESS -> MATCH, PREFIX, SOURCE* */
	SLUICE_CMD_WL_BEGIN,		/* SOURCE: start replacing a source */
	SLUICE_CMD_WL_COMMIT,		/* SOURCE: swap staged entries in */
	SLUICE_CMD_WL_ABORT,		/* SOURCE: drop staged entries */
	SLUICE_CMD_WL_SOURCES,		/* dumpit: per-source entry counts */
	SLUICE_CMD_CLASSIFY,		/* TUPLE -> VERDICT, RULE, ... */
	SLUICE_CMD_FLOWS_FLUSH,		/* ADDRESS? -> FLOWS: re-decide flows */

	__SLUICE_CMD_MAX,
};
#define SLUICE_CMD_MAX (__SLUICE_CMD_MAX - 1)

enum sluice_mode {
	SLUICE_MODE_TPROXY,
	SLUICE_MODE_REDIRECT,
	__SLUICE_MODE_MAX,
};
#define SLUICE_MODE_MAX (__SLUICE_MODE_MAX - 1)

/* What to do with a packet that would be redirected but finds no socket. */
enum sluice_no_listener {
	SLUICE_NO_LISTENER_PASS,	/* let it go direct */
	SLUICE_NO_LISTENER_DROP,	/* kill switch */
	__SLUICE_NO_LISTENER_MAX,
};
#define SLUICE_NO_LISTENER_MAX (__SLUICE_NO_LISTENER_MAX - 1)

/* The address tables of a namespace. */
enum sluice_list {
	SLUICE_LIST_WHITE,		/* destinations that always go direct */
	SLUICE_LIST_PROXY,		/* DEFAULT_DIRECT: what is redirected */
	SLUICE_LIST_SRC,		/* LAN sources, see SRC_MODE */
	__SLUICE_LIST_MAX,
};
#define SLUICE_LIST_MAX (__SLUICE_LIST_MAX - 1)

/* How SLUICE_LIST_SRC and SLUICE_A_SRC_MACS select LAN sources. */
enum sluice_src_mode {
	SLUICE_SRC_EXCLUDE,		/* listed sources are never redirected */
	SLUICE_SRC_ONLY,		/* only listed sources are redirected */
	__SLUICE_SRC_MAX,
};
#define SLUICE_SRC_MAX (__SLUICE_SRC_MAX - 1)

/* Where a destination not in the white_list goes. */
enum sluice_default {
	SLUICE_DEFAULT_PROXY,		/* into the tunnel client */
	SLUICE_DEFAULT_DIRECT,		/* direct, unless in the PROXY list */
	__SLUICE_DEFAULT_MAX,
};
#define SLUICE_DEFAULT_MAX (__SLUICE_DEFAULT_MAX - 1)

enum sluice_attr {
	SLUICE_A_UNSPEC,
	SLUICE_A_PAD,

	/* Configuration (GET_CONFIG reply, SET_CONFIG request). */
	SLUICE_A_ENABLED,		/* u8: 0 or 1 */
	SLUICE_A_MODE,			/* u32: enum sluice_mode */
	SLUICE_A_PORT,			/* u16, host order, 1..65535 */
	SLUICE_A_PORT6,			/* u16, host order, 1..65535 */
	SLUICE_A_LISTEN_ADDR4,		/* binary, 4 bytes, network order */
	SLUICE_A_LISTEN_ADDR6,		/* binary, 16 bytes */
	SLUICE_A_BYPASS_MARK,		/* u32 */
	SLUICE_A_BYPASS_MASK,		/* u32 */
	SLUICE_A_FWMARK,		/* u32 */
	SLUICE_A_FWMARK_MASK,		/* u32 */
	SLUICE_A_LAN_IFS,		/* nest of IFNAME, replaces all */
	SLUICE_A_IFNAME,		/* string, inside SLUICE_A_LAN_IFS */
	SLUICE_A_WAN_IF,		/* string; "" clears */
	SLUICE_A_MASQUERADE,		/* u8: 0 or 1 */
	SLUICE_A_NO_LISTENER,		/* u32: enum sluice_no_listener */

	/* Counters (GET_COUNTERS reply). */
	SLUICE_A_COUNTERS,		/* nest of enum sluice_counter, u64 */
	SLUICE_A_MEMORY,		/* nest of enum sluice_mem_attr */

	/* White list. */
	SLUICE_A_SOURCE,		/* string, 1..31 chars [A-Za-z0-9_.-] */
	SLUICE_A_TIMEOUT,		/* u32 seconds (dumps: left) */
	SLUICE_A_PREFIX,		/* nest of sluice_prefix_attr */
	SLUICE_A_ADDRESS,		/* nest of sluice_prefix_attr */
	SLUICE_A_MATCH,			/* u8: LOOKUP reply, 1 if listed */
	SLUICE_A_ENTRIES4,		/* u32: WL_SOURCES */
	SLUICE_A_ENTRIES6,		/* u32 */
	SLUICE_A_TXN_OPEN,		/* flag: WL_SOURCES, being replaced */

	/* Classification (CLASSIFY). */
	SLUICE_A_TUPLE,			/* nest of enum sluice_tuple_attr */
	SLUICE_A_VERDICT,		/* u32: enum sluice_verdict */
	SLUICE_A_RULE,			/* u32: enum sluice_rule */

	/* Later configuration (GET/SET_CONFIG). */
	SLUICE_A_LOCAL,			/* u8: redirect the gateway's own flows */
	SLUICE_A_DNS_PORT,		/* u16: LAN dport 53 -> this port; 0 off */
	SLUICE_A_DNS_LOCAL,		/* u8: the gateway's own DNS too */
	SLUICE_A_SRC_MODE,		/* u32: enum sluice_src_mode */
	SLUICE_A_SRC_MACS,		/* nest of MAC, replaces all */
	SLUICE_A_MAC,			/* binary, 6 bytes, inside SRC_MACS */
	SLUICE_A_DEFAULT,		/* u32: enum sluice_default */
	SLUICE_A_QUIC_REJECT,		/* u8: UDP 443 rejected, not redirected */

	/* Lists (WL_* commands, GET_COUNTERS). */
	SLUICE_A_LIST,			/* u32: enum sluice_list */

	/* Per-flow verdicts kept in conntrack (GET/SET_CONFIG). */
	SLUICE_A_CT_MASK,		/* u32: two ct mark bits, see above */
	SLUICE_A_FLOWS,			/* u32: FLOWS_FLUSH reply, flows cleared */

	__SLUICE_A_MAX,
};
#define SLUICE_A_MAX (__SLUICE_A_MAX - 1)

enum sluice_prefix_attr {
	SLUICE_PFX_UNSPEC,
	SLUICE_PFX_ADDR4,		/* binary, 4 bytes, network order */
	SLUICE_PFX_ADDR6,		/* binary, 16 bytes */
	SLUICE_PFX_PLEN,		/* u8: 0..32 or 0..128; absent: host */
	__SLUICE_PFX_MAX,
};
#define SLUICE_PFX_MAX (__SLUICE_PFX_MAX - 1)

enum sluice_tuple_attr {
	SLUICE_TUPLE_UNSPEC,
	SLUICE_TUPLE_PROTO,		/* u8: IPPROTO_* */
	SLUICE_TUPLE_SRC,		/* nest of sluice_prefix_attr */
	SLUICE_TUPLE_DST,		/* nest of sluice_prefix_attr */
	SLUICE_TUPLE_SPORT,		/* u16, host order */
	SLUICE_TUPLE_DPORT,		/* u16, host order */
	SLUICE_TUPLE_IIF,		/* string: input interface */
	SLUICE_TUPLE_MARK,		/* u32: skb mark */
	SLUICE_TUPLE_MAC,		/* binary, 6 bytes: source MAC */
	SLUICE_TUPLE_LOCAL,		/* flag: sent by the gateway itself */
	__SLUICE_TUPLE_MAX,
};
#define SLUICE_TUPLE_MAX (__SLUICE_TUPLE_MAX - 1)

enum sluice_verdict {
	SLUICE_VERDICT_PASS,		/* not touched: goes direct */
	SLUICE_VERDICT_REDIRECT,	/* sent to the tunnel client */
	SLUICE_VERDICT_DROP,
	SLUICE_VERDICT_REJECT,		/* dropped with ICMP port unreachable */
	SLUICE_VERDICT_DNS,		/* redirected to DNS_PORT */
	__SLUICE_VERDICT_MAX,
};
#define SLUICE_VERDICT_MAX (__SLUICE_VERDICT_MAX - 1)

/* Which step of the decision order decided (CLASSIFY, docs/). */
enum sluice_rule {
	SLUICE_RULE_DISABLED,
	SLUICE_RULE_NOT_LAN,
	SLUICE_RULE_NOT_TCPUDP,
	SLUICE_RULE_BYPASS_MARK,
	SLUICE_RULE_LOCAL,
	SLUICE_RULE_WHITE_LIST,
	SLUICE_RULE_REDIRECT,
	SLUICE_RULE_UDP_REDIRECT_MODE,	/* redirect mode leaves UDP alone */
	SLUICE_RULE_EXISTING,		/* TCP, not SYN: decided earlier */
	SLUICE_RULE_SRC_EXCLUDED,	/* source listed, SRC_MODE exclude */
	SLUICE_RULE_SRC_NOT_LISTED,	/* source not listed, SRC_MODE only */
	SLUICE_RULE_DNS,		/* dport 53, to DNS_PORT */
	SLUICE_RULE_DEFAULT_DIRECT,	/* DEFAULT direct, not in PROXY list */
	SLUICE_RULE_PROXY_LIST,		/* DEFAULT direct, in PROXY list */
	SLUICE_RULE_QUIC_REJECT,	/* UDP 443 rejected */
	SLUICE_RULE_LOCAL_OFF,		/* the gateway's own, LOCAL off */
	SLUICE_RULE_LOCAL_DNS,		/* gateway's own DNS, DNS_LOCAL off */
	SLUICE_RULE_LOOP_GUARD,		/* from the client's own cgroup */
	__SLUICE_RULE_MAX,
};
#define SLUICE_RULE_MAX (__SLUICE_RULE_MAX - 1)

/*
 * Per-CPU counters, summed on read.  New counters are only ever appended;
 * userspace prints the ones it knows and ignores the rest.
 */
enum sluice_counter {
	SLUICE_CTR_UNSPEC,
	SLUICE_CTR_PAD,
	SLUICE_CTR_PACKETS,		/* packets seen by the hooks */
	SLUICE_CTR_NOT_LAN,
	SLUICE_CTR_NOT_TCPUDP,
	SLUICE_CTR_BYPASS_MARK,
	SLUICE_CTR_LOCAL,
	SLUICE_CTR_WL_V4,
	SLUICE_CTR_WL_V6,
	SLUICE_CTR_REDIR_TCP4,
	SLUICE_CTR_REDIR_TCP6,
	SLUICE_CTR_REDIR_UDP4,
	SLUICE_CTR_REDIR_UDP6,
	SLUICE_CTR_NOLISTENER_PASS,
	SLUICE_CTR_NOLISTENER_DROP,
	SLUICE_CTR_ERRORS,
	SLUICE_CTR_WL_REBUILDS,		/* compiled-set swaps */
	SLUICE_CTR_WL_EXPIRED,		/* entries removed by timeout */
	SLUICE_CTR_EXISTING,		/* TCP non-SYN, no socket */
	SLUICE_CTR_UDP_REDIRECT_MODE,	/* UDP left alone in redirect mode */
	SLUICE_CTR_SRC_EXCLUDED,
	SLUICE_CTR_SRC_NOT_LISTED,
	SLUICE_CTR_DNS4,		/* DNS flows redirected to DNS_PORT */
	SLUICE_CTR_DNS6,
	SLUICE_CTR_DEFAULT_DIRECT,
	SLUICE_CTR_PROXY_LIST,		/* redirected because PROXY listed */
	SLUICE_CTR_QUIC_REJECT,
	SLUICE_CTR_LOCAL_OUT,		/* gateway's own packets marked */
	SLUICE_CTR_LOCAL_DNS,		/* gateway's own DNS left direct */
	SLUICE_CTR_LOOP_GUARD,
	SLUICE_CTR_STALE_NAT,		/* unmasqueraded entries killed */
	SLUICE_CTR_BRIDGED,		/* frames the bridge forwards, left alone */
	SLUICE_CTR_FLOW_ADOPTED,	/* entry started by the client: proxied */
	SLUICE_CTR_FLOW_DROP,		/* proxied flow, no socket: dropped */
	__SLUICE_CTR_MAX,
};
#define SLUICE_CTR_MAX (__SLUICE_CTR_MAX - 1)

enum sluice_mem_attr {
	SLUICE_MEM_UNSPEC,
	SLUICE_MEM_PAD,
	SLUICE_MEM_ENTRIES,		/* u32: all white_list entries */
	SLUICE_MEM_ENTRIES_MAX,		/* u32: the namespace's limit */
	SLUICE_MEM_HOSTS,		/* u32: distinct hosts in the table */
	SLUICE_MEM_CIDR_BYTES,		/* u64: compiled prefix sets */
	SLUICE_MEM_ENTRY_BYTES,		/* u64: entry store + host table */
	__SLUICE_MEM_MAX,
};
#define SLUICE_MEM_MAX (__SLUICE_MEM_MAX - 1)

#endif /* _UAPI_LINUX_SLUICE_H */
