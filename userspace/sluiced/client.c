// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Tunnel client supervision and the redirection switch that follows its
 * health.  Redirection is on only while the client's listener answers
 * (policy open), or always (policy closed: the module drops what finds
 * no listener, so nothing leaks past a dead client).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "backoff.h"
#include "daemon.h"
#include "log.h"
#include "probe.h"

void redirect_apply(struct sd *d, const char *why)
{
	bool want = d->healthy || d->conf.policy == POLICY_CLOSED;
	uint64_t t0;

	if (d->stopping)
		want = false;
	if (d->redir == (int)want)
		return;
	t0 = now_us();
	if (mod_set_enabled(&d->mod, want, d->conf.policy) < 0) {
		d->redir = -1;	/* unknown: retried on the next change */
		return;
	}
	d->redir = want;
	log_info("redirection %s (%s)", want ? "on" : "off", why);
	log_debug("redirection %s acked in %.3f ms", want ? "on" : "off",
		  (double)(now_us() - t0) / 1000.0);
}

void client_start(struct sd *d)
{
	char *const *argv = d->conf.client_argv;

	d->healthy = false;
	d->next_probe = now_ms();
	if (!argv) {
		/* Someone else runs the client: only watch its port. */
		d->cl = CL_IDLE;
		return;
	}
	d->pid = proc_spawn(argv, &d->out, &d->err);
	d->started_ms = now_ms();
	if (d->pid < 0) {
		d->pid = 0;
		client_exited(d, 127 << 8, now_us());
		return;
	}
	d->cl = CL_RUN;
	log_info("client started: %s (pid %d)", argv[0], (int)d->pid);
	/* Its servers may have moved while it was down. */
	servers_resolve(d);
}

void client_stop(struct sd *d)
{
	if (d->cl == CL_WAIT)
		d->cl = CL_IDLE;
	if (d->cl != CL_RUN)
		return;
	/* The whole group: wrappers and their children go too. */
	if (kill(-d->pid, SIGTERM) < 0 && errno == ESRCH)
		kill(d->pid, SIGTERM);
	d->cl = CL_STOP;
	d->kill_at = now_ms() + d->conf.stop_timeout_ms;
	log_info("client: stopping (pid %d)", (int)d->pid);
}

void client_exited(struct sd *d, int status, uint64_t t_signal_us)
{
	uint64_t ran = now_ms() - d->started_ms;
	char how[80];
	uint32_t delay;
	bool was_stopping = d->cl == CL_STOP;

	proc_describe(status, how, sizeof(how));
	/* Whatever it printed last is the most useful line of all. */
	linebuf_read(&d->out, "client: ");
	linebuf_read(&d->err, "client: ");
	linebuf_close(&d->out);
	linebuf_close(&d->err);
	d->pid = 0;
	d->healthy = false;
	redirect_apply(d, "client down");
	log_debug("client exit to redirection update: %.3f ms",
		  (double)(now_us() - t_signal_us) / 1000.0);
	if (d->stopping || (was_stopping && !d->restart_now)) {
		log_info("client stopped: %s", how);
		d->cl = CL_IDLE;
		return;
	}
	if (d->restart_now) {
		log_info("client stopped for restart: %s", how);
		d->restart_now = false;
		d->failures = 0;
		client_start(d);
		return;
	}
	d->failures = backoff_after_exit(d->failures, ran);
	delay = backoff_delay(d->failures ? d->failures - 1 : 0,
			      d->conf.restart_min_ms, d->conf.restart_max_ms);
	d->cl = CL_WAIT;
	d->restart_at = now_ms() + delay;
	log_warn("client down: %s after %.1f s; restart in %.1f s",
		 how, (double)ran / 1000.0, (double)delay / 1000.0);
}

void client_tick(struct sd *d, uint64_t now)
{
	bool external = !d->conf.client_argv && !d->stopping;

	if (d->cl == CL_WAIT && now >= d->restart_at && !d->stopping) {
		client_start(d);
		return;
	}
	if (d->cl == CL_STOP && now >= d->kill_at) {
		log_warn("client did not stop within %u ms: SIGKILL",
			 d->conf.stop_timeout_ms);
		if (kill(-d->pid, SIGKILL) < 0)
			kill(d->pid, SIGKILL);
		d->kill_at = UINT64_MAX;	/* SIGCHLD will follow */
		return;
	}
	if ((d->cl == CL_RUN && !d->healthy) || external) {
		bool up;

		if (now < d->next_probe)
			return;
		up = probe_listener(d->conf.port, d->conf.port6);
		if (up && !d->healthy) {
			d->healthy = true;
			log_info("client up: port %u accepts connections "
				 "(%.1f s after start)", d->conf.port,
				 external ? 0.0 :
				 (double)(now - d->started_ms) / 1000.0);
			redirect_apply(d, "client listening");
		} else if (!up && d->healthy) {
			d->healthy = false;
			log_warn("client down: port %u no longer accepts "
				 "connections", d->conf.port);
			redirect_apply(d, "client not listening");
		}
		d->next_probe = now + (d->healthy ? EXTERNAL_PROBE_MS
						  : d->conf.probe_interval_ms);
	}
}

uint64_t client_deadline(const struct sd *d)
{
	bool external = !d->conf.client_argv && !d->stopping;

	switch (d->cl) {
	case CL_WAIT:
		return d->restart_at;
	case CL_STOP:
		return d->kill_at;
	case CL_RUN:
		return d->healthy ? UINT64_MAX : d->next_probe;
	case CL_IDLE:
		return external ? d->next_probe : UINT64_MAX;
	}
	return UINT64_MAX;
}
