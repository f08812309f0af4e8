// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "rtmsg.h"

/* Room for a burst of events (a PPP reconnect, a bridge coming up). */
#define EV_RCVBUF (1 << 20)

int watch_fd(const struct watch *w)
{
	return mnl_socket_get_fd(w->ev.sk);
}

int watch_open(struct watch *w, const struct sd_conf *conf, struct mod *mod)
{
	int err, sz = EV_RCVBUF, fd;

	memset(w, 0, sizeof(*w));
	w->conf = conf;
	w->mod = mod;
	addrtab_init(&w->tab);
	/* Subscribe before dumping: nothing between the two is lost. */
	err = rtnl_open(&w->ev, RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
				RTMGRP_IPV6_IFADDR);
	if (err < 0) {
		log_err("rtnetlink event socket: %s", strerror(-err));
		return -1;
	}
	fd = mnl_socket_get_fd(w->ev.sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		log_err("rtnetlink event socket: %s", strerror(errno));
		rtnl_close(&w->ev);
		return -1;
	}
	err = rtnl_open(&w->dump, 0);
	if (err < 0) {
		log_err("rtnetlink socket: %s", strerror(-err));
		rtnl_close(&w->ev);
		return -1;
	}
	return 0;
}

void watch_close(struct watch *w)
{
	rtnl_close(&w->ev);
	rtnl_close(&w->dump);
	addrtab_free(&w->tab);
	free(w->links);
	w->links = NULL;
	w->n_links = w->cap_links = 0;
}

/* ---- interface names ---------------------------------------------- */

static const char *link_name(const struct watch *w, int ifindex)
{
	size_t i;

	for (i = 0; i < w->n_links; i++)
		if (w->links[i].ifindex == ifindex)
			return w->links[i].name;
	return NULL;
}

static bool name_is_lan(const struct sd_conf *c, const char *name)
{
	unsigned i;

	for (i = 0; name && i < c->n_lan; i++)
		if (!strcmp(c->lan[i], name))
			return true;
	return false;
}

static bool is_lan(const struct watch *w, int ifindex)
{
	return name_is_lan(w->conf, link_name(w, ifindex));
}

/* Record a name; true if the ifindex's lan-ness changed. */
static int link_set(struct watch *w, int ifindex, const char *name,
		    bool *changed)
{
	size_t i;

	*changed = false;
	for (i = 0; i < w->n_links; i++)
		if (w->links[i].ifindex == ifindex)
			break;
	if (i == w->n_links) {
		if (w->n_links == w->cap_links) {
			size_t cap = w->cap_links ? w->cap_links * 2 : 16;
			struct link_name *v = realloc(w->links,
						      cap * sizeof(*v));

			if (!v)
				return -1;
			w->links = v;
			w->cap_links = cap;
		}
		w->links[w->n_links].ifindex = ifindex;
		w->links[w->n_links].name[0] = '\0';
		w->n_links++;
	}
	*changed = name_is_lan(w->conf, w->links[i].name) !=
		   name_is_lan(w->conf, name);
	snprintf(w->links[i].name, sizeof(w->links[i].name), "%s", name);
	return 0;
}

static void link_del(struct watch *w, int ifindex)
{
	size_t i;

	for (i = 0; i < w->n_links; i++)
		if (w->links[i].ifindex == ifindex) {
			w->links[i] = w->links[--w->n_links];
			return;
		}
}

/* ---- full sync ---------------------------------------------------------- */

static int dump_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch *w = data;
	char name[IFNAMSIZ];
	bool changed;
	int ifindex;

	if (rtmsg_link(nlh, &ifindex, name) < 0)
		return MNL_CB_OK;
	return link_set(w, ifindex, name, &changed) < 0 ? MNL_CB_ERROR
							: MNL_CB_OK;
}

static int dump_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch *w = data;
	struct addr_rec rec;
	struct addr_op ops[2];

	if (rtmsg_addr(nlh, &rec) < 0)
		return MNL_CB_OK;
	rec.lan = is_lan(w, rec.ifindex);
	return addrtab_apply(&w->tab, &rec, true, ops) < 0 ? MNL_CB_ERROR
							     : MNL_CB_OK;
}

static int dump(struct watch *w, uint16_t type, mnl_cb_t cb)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char msg[256];
	struct nlmsghdr *nlh = rtnl_req(&w->dump, buf, type, NLM_F_DUMP);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	int err, try;

	g->rtgen_family = AF_UNSPEC;
	for (try = 0; try < 4; try++) {
		err = rtnl_talk(&w->dump, nlh, cb, w, msg, sizeof(msg));
		/* EINTR here is the kernel's "dump interrupted": retry. */
		if (err != -EINTR && err != -EBUSY)
			break;
		nlh->nlmsg_seq = ++w->dump.seq;
	}
	if (err < 0)
		log_err("rtnetlink dump: %s%s%s", strerror(-err),
			msg[0] ? ": " : "", msg);
	return err < 0 ? -1 : 0;
}

static int replace_sources(struct watch *w)
{
	struct sl_pfx_list local, lan;
	int ret = -1;

	sl_pfx_list_init(&local);
	sl_pfx_list_init(&lan);
	if (addrtab_local_set(&w->tab, &local) < 0 ||
	    addrtab_lan_set(&w->tab, &lan) < 0) {
		log_err("address sync: out of memory");
		goto out;
	}
	if (mod_replace(w->mod, SLUICE_LIST_WHITE, "local", &local) < 0 ||
	    mod_replace(w->mod, SLUICE_LIST_WHITE, "lan", &lan) < 0)
		goto out;
	log_info("addresses: %zu local (%zu IPv4, %zu IPv6), %zu lan prefixes",
		 local.n, local.n4, local.n6, lan.n);
	ret = 0;
out:
	sl_pfx_list_free(&local);
	sl_pfx_list_free(&lan);
	return ret;
}

int watch_sync(struct watch *w)
{
	/* A fresh table: the dump is the truth, whatever we missed. */
	addrtab_free(&w->tab);
	w->n_links = 0;
	if (dump(w, RTM_GETLINK, dump_link_cb) < 0 ||
	    dump(w, RTM_GETADDR, dump_addr_cb) < 0)
		return -1;
	return replace_sources(w);
}

int watch_conf_changed(struct watch *w, const struct sd_conf *conf)
{
	size_t i;

	w->conf = conf;
	for (i = 0; i < w->n_links; i++)
		addrtab_set_lan(&w->tab, w->links[i].ifindex,
				is_lan(w, w->links[i].ifindex));
	return replace_sources(w);
}

/* ---- events -------------------------------------------------------------- */

static const char *op_source(enum addr_op_kind k)
{
	return k == OP_LOCAL_ADD || k == OP_LOCAL_DEL ? "local" : "lan";
}

static void handle_addr(struct watch *w, const struct nlmsghdr *nlh,
			uint64_t t_recv)
{
	bool add = nlh->nlmsg_type == RTM_NEWADDR;
	struct addr_op ops[2];
	struct addr_rec rec;
	int n, i;

	if (rtmsg_addr(nlh, &rec) < 0)
		return;
	rec.lan = is_lan(w, rec.ifindex);
	n = addrtab_apply(&w->tab, &rec, add, ops);
	if (n < 0) {
		log_err("address event: out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		const char *ifn = link_name(w, rec.ifindex);
		char pb[SL_PREFIX_STRLEN];
		bool is_add = ops[i].kind == OP_LOCAL_ADD ||
			      ops[i].kind == OP_LAN_ADD;
		int err;

		sl_prefix_format_len(&ops[i].pfx, pb, sizeof(pb));
		err = is_add ? mod_add(w->mod, op_source(ops[i].kind),
				       &ops[i].pfx)
			     : mod_del(w->mod, op_source(ops[i].kind),
				       &ops[i].pfx);
		if (err < 0)
			continue;
		log_info("address %s %s %s (%s)", is_add ? "+" : "-", pb,
			 op_source(ops[i].kind), ifn ? ifn : "?");
		/* From the kernel's event to the module's ack. */
		log_debug("%s %s %s: event to ack %.3f ms",
			  op_source(ops[i].kind), is_add ? "add" : "del", pb,
			  (double)(now_us() - t_recv) / 1000.0);
	}
}

static void handle_link(struct watch *w, const struct nlmsghdr *nlh)
{
	char name[IFNAMSIZ];
	bool changed;
	int ifindex;

	if (rtmsg_link(nlh, &ifindex, name) < 0)
		return;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		/* Its addresses had their own DELADDR events already. */
		link_del(w, ifindex);
		return;
	}
	if (link_set(w, ifindex, name, &changed) < 0) {
		log_err("link event: out of memory");
		return;
	}
	if (changed) {
		/* A LAN interface appeared or was renamed: redo `lan`. */
		log_info("interface %s (index %d) %s the LAN", name, ifindex,
			 is_lan(w, ifindex) ? "joins" : "leaves");
		addrtab_set_lan(&w->tab, ifindex, is_lan(w, ifindex));
		replace_sources(w);
	}
}

int watch_handle(struct watch *w)
{
	char buf[65536];

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->ev.sk, buf, sizeof(buf));
		uint64_t t_recv = now_us();
		const struct nlmsghdr *nlh;
		int left;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Events were lost: only a dump tells truth. */
				log_warn("rtnetlink events lost (ENOBUFS): "
					 "resynchronising addresses");
				if (watch_sync(w) < 0)
					log_err("address resync failed");
				continue;
			}
			log_err("rtnetlink events: %s", strerror(errno));
			return -1;
		}
		left = (int)n;
		for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			switch (nlh->nlmsg_type) {
			case RTM_NEWADDR:
			case RTM_DELADDR:
				handle_addr(w, nlh, t_recv);
				break;
			case RTM_NEWLINK:
			case RTM_DELLINK:
				handle_link(w, nlh);
				break;
			default:
				break;
			}
		}
	}
}
