// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluiced: sets up sluice.ko, keeps its white_list true in real time,
 * runs the tunnel client, never leaves the LAN blackholed.
 *
 * One thread, one poll loop: signals arrive through a signalfd, address
 * changes through rtnetlink, the client's output and the resolver's
 * results through pipes; timers are deadlines folded into poll's timeout.
 * sluiced never forks into the background: systemd (Type=notify) and
 * procd supervise it in the foreground.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "orphan.h"
#include "sysctl.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.1"
#endif
#define DEFAULT_CONF "/etc/sluice/sluiced.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluiced [-f] [-v] [-c FILE] [--check]\n"
		"  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
		"  -f, --foreground   log to stderr instead of syslog\n"
		"  -v, --verbose      log at debug level (overrides log-level)\n"
		"  -n, --check        parse and validate the configuration, the\n"
		"                     list files and the client config, then exit\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this text\n");
}

/* ---- setup and teardown -------------------------------------------------- */

static int routing_up(struct sd *d)
{
	if (!d->conf.routing)
		return 0;
	if (route_setup(&d->rt, &d->conf, &d->routing) < 0)
		return -1;
	d->routing_on = true;
	return 0;
}

static void routing_down(struct sd *d)
{
	if (d->routing_on)
		route_teardown(&d->rt, &d->routing);
	d->routing_on = false;
}

/* Our sources out of the lists: the module holds nothing stale. */
static void flush_sources(struct sd *d)
{
	unsigned i;

	mod_flush(&d->mod, SLUICE_LIST_WHITE, "local");
	mod_flush(&d->mod, SLUICE_LIST_WHITE, "lan");
	mod_flush(&d->mod, SLUICE_LIST_WHITE, "server");
	mod_flush(&d->mod, SLUICE_LIST_SRC, CONF_SRC_SOURCE);
	for (i = 0; i < d->conf.n_lists; i++)
		mod_flush(&d->mod, d->conf.lists[i].list,
			  d->conf.lists[i].name);
}

/*
 * Redirection while starting: policy closed keeps it on, with the
 * no-listener drop, from the very first request (the module may still be
 * on from a sluiced that crashed: never a moment of direct traffic).
 * Policy open starts with it off, as the client is not up yet, and the
 * client is started before the slow steps so that it is listening, and
 * redirection back on, as early as possible.
 */
static int setup(struct sd *d)
{
	bool closed = d->conf.policy == POLICY_CLOSED;
	int err;

	if (mod_open(&d->mod) < 0)
		return -1;
	err = rtnl_open(&d->rt, 0);
	if (err < 0) {
		log_err("rtnetlink: %s", strerror(-err));
		return -1;
	}
	/* Before redirection: tproxy'd packets need the local route. */
	if (routing_up(d) < 0)
		return -1;
	if (mod_configure(&d->mod, &d->conf, closed) < 0)
		return -1;
	d->redir = closed;
	if (closed)
		log_info("redirection on (failure-policy closed: flows with no "
			 "listener are dropped until the client is up)");
	/*
	 * Its output is read once the loop runs (pipes hold 64 KiB), and
	 * redirection follows the probe, which only the loop runs: after
	 * the addresses and lists below are in.
	 */
	client_start(d);
	if (watch_open(&d->watch, &d->conf, &d->mod) < 0 ||
	    watch_sync(&d->watch) < 0)
		return -1;
	lists_load_all(d);
	src_load(d);
	servers_resolve(d);
	sysctl_report(&d->conf);
	redirect_apply(d, closed ? "failure-policy closed" : "start");
	return 0;
}

/*
 * @keep: a failed start under failure-policy closed: redirection stays on
 * with the no-listener drop, and the rules, routes and sources it relies
 * on stay too, so that the failure never turns into direct traffic.
 */
static void teardown(struct sd *d, bool keep)
{
	if (d->mod.open && !keep) {
		d->stopping = true;
		redirect_apply(d, "stopping");
		/* Its state unknown (a failed request): say it once more. */
		if (d->redir != 0 &&
		    mod_set_enabled(&d->mod, false, d->conf.policy) == 0)
			d->redir = 0;
	}
	resolver_free(&d->res);
	/* Normally gone with the client; not after a fatal loop error. */
	if (d->cg_dir[0])
		cgroup_client_remove(d->cg_dir);
	if (!keep) {
		routing_down(d);
		if (d->mod.open)
			flush_sources(d);
	}
	watch_close(&d->watch);
	rtnl_close(&d->rt);
	mod_close(&d->mod);
	name_list_free(&d->json_names);
	conf_free(&d->conf);
}

/* ---- reload ------------------------------------------------------------------- */

static void reload(struct sd *d)
{
	struct sd_conf nc, old;
	char err[CONF_ERR_LEN];
	bool client_changed, routing_changed, lists_ok;
	unsigned i, j;

	log_info("SIGHUP: reloading %s", d->conf_path);
	if (conf_load(&nc, d->conf_path, err, sizeof(err)) < 0) {
		log_err("%s; keeping the running configuration", err);
		return;
	}
	if (log_level() == LVL_DEBUG && nc.log_level < LVL_DEBUG)
		nc.log_level = LVL_DEBUG;	/* -v wins */
	client_changed = !conf_client_equal(&d->conf, &nc);
	routing_changed = d->conf.routing != nc.routing ||
			  d->conf.route_table != nc.route_table ||
			  d->conf.rule_priority != nc.rule_priority ||
			  d->conf.fwmark != nc.fwmark ||
			  d->conf.fwmark_mask != nc.fwmark_mask;
	old = d->conf;
	d->conf = nc;
	log_set_level(d->conf.log_level);

	if (routing_changed) {
		routing_down(d);
		if (routing_up(d) < 0)
			log_err("policy routing not installed: redirected "
				"tproxy traffic will not reach the client");
	}
	if (mod_configure(&d->mod, &d->conf, d->redir == 1) < 0)
		log_err("module keeps its previous settings");
	watch_conf_changed(&d->watch, &d->conf);
	/* Lists gone from the file leave the module. */
	for (i = 0; i < old.n_lists; i++) {
		const struct conf_list *ol = &old.lists[i];

		for (j = 0; j < d->conf.n_lists; j++)
			if (ol->list == d->conf.lists[j].list &&
			    !strcmp(ol->name, d->conf.lists[j].name))
				break;
		if (j == d->conf.n_lists &&
		    mod_flush(&d->mod, ol->list, ol->name) == 0)
			log_info("%s %s removed", mod_list_word(ol->list),
				 ol->name);
	}
	lists_ok = lists_load_all(d) == 0;
	if (src_load(d) < 0)
		lists_ok = false;
	/* The new lists and settings for live flows too, if asked. */
	if (d->conf.flush_flows_on_reload) {
		if (lists_ok)
			mod_flush_flows(&d->mod);
		else
			log_warn("flush-flows-on-reload: not all lists "
				 "loaded; live flows keep their paths");
	}
	resolver_kill(&d->res);
	servers_resolve(d);
	if (client_changed) {
		log_info("client settings changed: restarting it");
		if (d->cl == CL_RUN) {
			d->restart_now = true;
			client_stop(d);
		} else if (d->cl != CL_STOP) {
			d->failures = 0;
			client_start(d);
		} else {
			d->restart_now = true;
		}
	}
	sysctl_report(&d->conf);
	redirect_apply(d, "reload");
	conf_free(&old);
}

/* ---- the loop ---------------------------------------------------------------- */

static void reap(struct sd *d, uint64_t t_signal_us)
{
	int status;
	pid_t pid;

	/* Stops and continues too: a stopped client accepts nothing. */
	while ((pid = waitpid(-1, &status,
			      WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		bool ended = WIFEXITED(status) || WIFSIGNALED(status);

		if (pid == d->pid && d->pid > 0) {
			if (WIFSTOPPED(status))
				client_stopped(d, status);
			else if (WIFCONTINUED(status))
				client_continued(d);
			else if (ended)
				client_exited(d, status, t_signal_us);
		} else if (pid == d->res.pid && ended) {
			d->res.pid = 0;
			resolver_read(&d->res);
			resolver_kill(&d->res);	/* closes the pipe */
			servers_done(d);
		}
	}
}

/* 1 = keep going, 0 = stop now. */
static int on_signal(struct sd *d, int sfd)
{
	struct signalfd_siginfo si;
	uint64_t t = now_us();

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(d, t);
			break;
		case SIGHUP:
			if (!d->stopping)
				reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			if (d->stopping)
				break;
			log_info("%s: stopping", strsignal((int)si.ssi_signo));
			notify("STOPPING=1");
			d->stopping = true;
			/* Off first: the LAN goes direct while we wind down. */
			redirect_apply(d, "stopping");
			client_stop(d);
			break;
		}
	}
	return !(d->stopping && d->cl != CL_RUN && d->cl != CL_STOP);
}

static int loop(struct sd *d, int sfd)
{
	for (;;) {
		struct pollfd p[5];
		uint64_t now = now_ms(), dl;
		int n = 0, timeout, i;

		client_tick(d, now);
		if (d->res.pid > 0 &&
		    now >= d->res.started_ms + RESOLVE_TIMEOUT_MS) {
			log_warn("resolve: no answer within %u s; keeping the "
				 "last good addresses", RESOLVE_TIMEOUT_MS / 1000);
			resolver_read(&d->res);
			resolver_kill(&d->res);
			servers_done(d);
		}
		if (!d->stopping && d->res.pid == 0 && now >= d->next_resolve)
			servers_resolve(d);

		dl = client_deadline(d);
		if (d->res.pid > 0 &&
		    d->res.started_ms + RESOLVE_TIMEOUT_MS < dl)
			dl = d->res.started_ms + RESOLVE_TIMEOUT_MS;
		if (!d->stopping && d->next_resolve < dl)
			dl = d->next_resolve;
		now = now_ms();
		timeout = dl == UINT64_MAX ? -1 :
			  dl <= now ? 0 :
			  dl - now > 60000 ? 60000 : (int)(dl - now);

		p[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = watch_fd(&d->watch),
					  .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->out.fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->err.fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->res.fd, .events = POLLIN };
		if (poll(p, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++)
			if (p[i].fd >= 0 && (p[i].revents & POLLNVAL)) {
				log_err("poll: descriptor %d invalid", p[i].fd);
				return 1;
			}
		/* Signals first: a dead client matters most. */
		if (p[0].revents && !on_signal(d, sfd))
			return 0;
		if (p[1].revents && watch_handle(&d->watch) < 0)
			return 1;
		if (p[2].revents)
			linebuf_read(&d->out, "client: ");
		if (p[3].revents)
			linebuf_read(&d->err, "client: ");
		if (p[4].revents && d->res.fd >= 0)
			resolver_read(&d->res);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sd d;
	char err[CONF_ERR_LEN];
	bool fg = false, verbose = false, check = false;
	sigset_t mask;
	int c, sfd, rc;

	memset(&d, 0, sizeof(d));
	d.conf_path = DEFAULT_CONF;
	d.out.fd = d.err.fd = -1;
	d.redir = -1;
	resolver_init(&d.res);
	while ((c = getopt_long(argc, argv, "c:fvnVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.conf_path = optarg; break;
		case 'f': fg = true; break;
		case 'v': verbose = true; break;
		case 'n': check = true; break;
		case 'V': printf("sluiced %s\n", SLUICE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (conf_load(&d.conf, d.conf_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluiced: %s\n", err);
		return 1;
	}
	if (check) {
		rc = check_config_files(&d.conf);
		if (!rc)
			printf("%s: ok\n", d.conf_path);
		conf_free(&d.conf);
		return rc;
	}
	if (verbose)
		d.conf.log_level = LVL_DEBUG;
	log_open(fg, d.conf.log_level);

	/* Before any child exists, so no SIGCHLD is ever missed. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_err("signalfd: %s", strerror(errno));
		conf_free(&d.conf);
		return 1;
	}
	log_info("sluiced %s starting (%s, failure-policy %s)", SLUICE_VERSION,
		 d.conf_path, d.conf.policy == POLICY_CLOSED ? "closed"
							     : "open");
	/* Before anything changes: refusing leaves the module as it is. */
	if (d.conf.client_argv &&
	    orphan_reclaim(d.conf.port, d.conf.port6,
			   d.conf.stop_timeout_ms) < 0) {
		log_err("not started; nothing changed");
		conf_free(&d.conf);
		close(sfd);
		return 1;
	}
	if (setup(&d) < 0) {
		bool keep = d.conf.policy == POLICY_CLOSED && d.mod.open;

		if (keep && d.redir == 1)
			log_err("setup failed: failure-policy closed, so "
				"redirection stays on (flows with no listener "
				"are dropped); fix the cause and start sluiced "
				"again");
		else if (keep)
			log_err("setup failed: failure-policy closed, so the "
				"module is left as it was; fix the cause and "
				"start sluiced again");
		else
			log_err("setup failed: module left disabled");
		/* A half-started client must not outlive us. */
		if (d.cl == CL_RUN) {
			d.stopping = true;
			client_stop(&d);
			while (d.cl == CL_STOP && waitpid(d.pid, NULL, 0) < 0 &&
			       errno == EINTR)
				;
			orphan_forget();
		}
		teardown(&d, keep);
		close(sfd);
		return 1;
	}
	notify("READY=1");
	rc = loop(&d, sfd);
	if (rc) {
		/* Fatal loop error: still leave things safe. */
		d.stopping = true;
		client_stop(&d);
		if (d.pid > 0) {
			kill(-d.pid, SIGKILL);
			waitpid(d.pid, NULL, 0);
		}
	}
	teardown(&d, false);
	close(sfd);
	log_info("stopped: redirection off, module disabled");
	return rc;
}
