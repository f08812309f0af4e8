// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "mod.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attrs.h"
#include "config.h"
#include "log.h"
#include "names.h"
#include "wl.h"

static void log_nl_err(const char *what, const struct sl_nl_err *e)
{
	if (e->msg[0] && e->what[0])
		log_err("%s: %s: %s (%s)", what, strerror(e->code), e->msg,
			e->what);
	else if (e->msg[0])
		log_err("%s: %s: %s", what, strerror(e->code), e->msg);
	else
		log_err("%s: %s", what, strerror(e->code ? e->code : EIO));
}

/* Run modprobe synchronously; signals are blocked, waitpid is ours. */
static void run_modprobe(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		log_err("fork for modprobe: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		execlp("modprobe", "modprobe", "sluice", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		log_warn("modprobe sluice failed (status %d)", status);
}

int mod_open(struct mod *m)
{
	struct sl_nl_err e = { 0 };

	memset(m, 0, sizeof(*m));
	if (sl_nl_open(&m->nl, &e) == 0)
		goto ok;
	if (!e.no_family) {
		log_nl_err("generic netlink", &e);
		return -1;
	}
	log_info("the sluice module is not loaded: trying modprobe sluice");
	run_modprobe();
	memset(&e, 0, sizeof(e));
	if (sl_nl_open(&m->nl, &e) < 0) {
		if (e.no_family)
			log_err("the sluice module is not loaded and "
				"`modprobe sluice` did not load it: install "
				"sluice.ko (dkms) for kernel of this system");
		else
			log_nl_err("generic netlink", &e);
		return -1;
	}
ok:
	m->open = true;
	return 0;
}

void mod_close(struct mod *m)
{
	if (m->open)
		sl_nl_close(&m->nl);
	m->open = false;
}

static int set_config(struct mod *m, const struct sl_config *sc,
		      const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sl_nl_err e = { 0 };
	struct nlmsghdr *nlh = sl_nl_req(&m->nl, buf, sizeof(buf),
					 SLUICE_CMD_SET_CONFIG, NLM_F_ACK);

	if (!sl_put_config(nlh, sizeof(buf), sc)) {
		log_err("%s: request does not fit", what);
		return -1;
	}
	if (sl_nl_talk1(&m->nl, nlh, NULL, NULL, NULL, &e) < 0) {
		log_nl_err(what, &e);
		return -1;
	}
	return 0;
}

int mod_configure(struct mod *m, const struct sd_conf *c, bool enabled)
{
	struct sl_config sc = { 0 };
	unsigned i;

	/* Every key, every time: a reload also turns settings back off. */
	sc.have = SL_CFG_ENABLED | SL_CFG_MODE | SL_CFG_PORT | SL_CFG_PORT6 |
		  SL_CFG_MARK | SL_CFG_FWMARK | SL_CFG_LAN | SL_CFG_WAN |
		  SL_CFG_MASQUERADE | SL_CFG_NO_LISTENER | SL_CFG_LOCAL |
		  SL_CFG_DNS_PORT | SL_CFG_DNS_LOCAL | SL_CFG_SRC_MODE |
		  SL_CFG_SRC_MACS | SL_CFG_DEFAULT | SL_CFG_QUIC |
		  SL_CFG_CT_MASK;
	sc.enabled = enabled;
	sc.mode = c->mode;
	sc.port = c->port;
	sc.port6 = c->port6;
	sc.bypass_mark = c->bypass_mark;
	sc.bypass_mask = c->bypass_mask;
	sc.fwmark = c->fwmark;
	sc.fwmark_mask = c->fwmark_mask;
	sc.n_lan = c->n_lan;
	for (i = 0; i < c->n_lan; i++)
		memcpy(sc.lan[i], c->lan[i], sizeof(sc.lan[i]));
	memcpy(sc.wan, c->wan, sizeof(sc.wan));
	sc.masquerade = c->masquerade;
	sc.no_listener = c->policy == POLICY_CLOSED ? SLUICE_NO_LISTENER_DROP
						    : SLUICE_NO_LISTENER_PASS;
	sc.local = c->local;
	sc.dns_port = c->dns_port;
	sc.dns_local = c->dns_local;
	sc.src_mode = c->src_mode;
	sc.n_src_macs = c->n_src_macs;
	memcpy(sc.src_macs, c->src_macs, sizeof(sc.src_macs));
	sc.dflt = c->dflt;
	sc.quic_reject = c->quic_reject;
	sc.ct_mask = c->ct_mask;
	return set_config(m, &sc, "configure module");
}

int mod_set_enabled(struct mod *m, bool enabled, enum policy policy)
{
	struct sl_config sc = { 0 };

	sc.have = SL_CFG_ENABLED | SL_CFG_NO_LISTENER;
	sc.enabled = enabled;
	sc.no_listener = policy == POLICY_CLOSED ? SLUICE_NO_LISTENER_DROP
						 : SLUICE_NO_LISTENER_PASS;
	return set_config(m, &sc, enabled ? "redirection on"
					  : "redirection off");
}

const char *mod_list_word(uint32_t list)
{
	switch (list) {
	case SLUICE_LIST_PROXY:
		return "proxy-list";
	case SLUICE_LIST_SRC:
		return "src";
	}
	return "list";
}

int mod_replace(struct mod *m, uint32_t list, const char *source,
		const struct sl_pfx_list *l)
{
	struct sl_nl_err e = { 0 };

	if (sl_wl_replace(&m->nl, list, source, l->v, l->n, &e) < 0) {
		char what[80];

		snprintf(what, sizeof(what), "replace %s source %s",
			 sl_list_name(list), source);
		log_nl_err(what, &e);
		return -1;
	}
	return 0;
}

static int one(struct mod *m, uint8_t cmd, const char *source,
	       const struct sl_prefix *p)
{
	struct sl_nl_err e = { 0 };
	char what[96], pb[SL_PREFIX_STRLEN];

	if (sl_wl_prefixes(&m->nl, cmd, SLUICE_LIST_WHITE, source, 0, p, 1,
			   &e) == 0)
		return 0;
	/* Already gone (e.g. flushed by hand): the goal is reached. */
	if (cmd == SLUICE_CMD_WL_DEL && e.code == ENOENT)
		return 0;
	sl_prefix_format(p, pb, sizeof(pb));
	snprintf(what, sizeof(what), "%s %s %s",
		 cmd == SLUICE_CMD_WL_ADD ? "add" : "delete", pb, source);
	log_nl_err(what, &e);
	return -1;
}

int mod_add(struct mod *m, const char *source, const struct sl_prefix *p)
{
	return one(m, SLUICE_CMD_WL_ADD, source, p);
}

int mod_del(struct mod *m, const char *source, const struct sl_prefix *p)
{
	return one(m, SLUICE_CMD_WL_DEL, source, p);
}

int mod_flush(struct mod *m, uint32_t list, const char *source)
{
	struct sl_nl_err e = { 0 };

	if (sl_wl_simple(&m->nl, SLUICE_CMD_WL_FLUSH, list, source, &e) < 0) {
		char what[80];

		snprintf(what, sizeof(what), "flush %s source %s",
			 sl_list_name(list), source);
		log_nl_err(what, &e);
		return -1;
	}
	return 0;
}

int mod_flush_flows(struct mod *m)
{
	struct sl_nl_err e = { 0 };
	uint32_t n;

	if (sl_flows_flush(&m->nl, NULL, &n, &e) < 0) {
		log_nl_err("flush flows", &e);
		return -1;
	}
	log_info("flows flushed: %u will be decided again", n);
	return 0;
}
