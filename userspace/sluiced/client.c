// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Tunnel client supervision and the redirection switch that follows its
 * health.  Redirection is on only while the client's listener answers
 * (policy open), or always (policy closed: the module drops what finds
 * no listener, so nothing leaks past a dead client).
 *
 * "Healthy" ends when the client exits (SIGCHLD), is stopped (SIGCHLD
 * with WUNTRACED: a SIGSTOPped client still completes handshakes into
 * its accept queue, so the connect probe alone would call it up), or
 * hangs (the accept-queue watchdog, hang.h).  It comes back through the
 * connect probe: after the exit and restart, after SIGCONT, or once the
 * accept queue shrinks again.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "backoff.h"
#include "cgroup.h"
#include "daemon.h"
#include "diag.h"
#include "log.h"
#include "orphan.h"
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

static void into_cgroup(pid_t pid, void *arg)
{
	cgroup_move(arg, pid);
}

void client_start(struct sd *d)
{
	char *const *argv = d->conf.client_argv;
	bool own_cg;

	d->healthy = false;
	d->stopped = false;
	hang_reset(&d->hang);
	d->next_probe = now_ms();
	if (!argv) {
		/* Someone else runs the client: only watch its port. */
		d->cl = CL_IDLE;
		if (d->conf.local)
			log_notice("local on with a client sluiced does not "
				   "run: give it a cgroup of its own, or the "
				   "loop guard leaves direct the local flows "
				   "of every process sharing its cgroup");
		return;
	}
	own_cg = d->conf.local &&
		 cgroup_client_prepare(d->cg_dir, sizeof(d->cg_dir)) == 0;
	if (!own_cg)
		d->cg_dir[0] = '\0';
	d->pid = proc_spawn(argv, &d->out, &d->err,
			    own_cg ? into_cgroup : NULL, d->cg_dir);
	d->started_ms = now_ms();
	if (d->pid < 0) {
		d->pid = 0;
		client_exited(d, 127 << 8, now_us());
		return;
	}
	d->cl = CL_RUN;
	orphan_record(d->pid);
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
	/* A stopped client would hold the SIGTERM until stop-timeout. */
	if (kill(-d->pid, SIGCONT) < 0 && errno == ESRCH)
		kill(d->pid, SIGCONT);
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
	d->stopped = false;
	hang_reset(&d->hang);
	orphan_forget();
	if (d->cg_dir[0]) {
		cgroup_client_remove(d->cg_dir);
		d->cg_dir[0] = '\0';
	}
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

void client_stopped(struct sd *d, int status)
{
	if (d->cl != CL_RUN || d->stopped)
		return;
	d->stopped = true;
	log_warn("client down: stopped by signal %d (%s)", WSTOPSIG(status),
		 strsignal(WSTOPSIG(status)));
	d->healthy = false;
	redirect_apply(d, "client stopped");
}

void client_continued(struct sd *d)
{
	if (d->cl != CL_RUN || !d->stopped)
		return;
	d->stopped = false;
	hang_reset(&d->hang);
	log_info("client continued: probing its listener again");
	d->next_probe = now_ms();
}

/* One sample of the listener's accept queue (healthy, or hung). */
static void watchdog(struct sd *d)
{
	struct listen_info li;
	enum hang_event ev;
	int err;

	if (d->diag_off)
		return;
	err = diag_listeners(d->conf.port, d->conf.port6, &li);
	if (err < 0) {
		d->diag_off = true;
		hang_reset(&d->hang);
		log_warn("hang watchdog off: sock_diag: %s (a client that "
			 "hangs without exiting is not noticed)",
			 strerror(-err));
		return;
	}
	if (!li.n && d->hang.hung) {
		/* Its listener went away: the connect probe judges now. */
		hang_reset(&d->hang);
		return;
	}
	ev = hang_sample(&d->hang, li.n ? (int64_t)li.rqueue : -1,
			 HANG_SAMPLES);
	if (ev == HANG_STUCK) {
		d->healthy = false;
		log_warn("client down: hung: %u connection(s) wait in the "
			 "accept queue of port %u, not accepted for %u s",
			 li.rqueue, d->conf.port,
			 HANG_SAMPLES * HANG_SAMPLE_MS / 1000);
		redirect_apply(d, "client hung");
	} else if (ev == HANG_DRAINED) {
		log_info("client accepts again (accept queue of port %u down "
			 "to %u)", d->conf.port, li.rqueue);
	}
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
	if (!(d->cl == CL_RUN && !d->stopped) && !external)
		return;
	if (now < d->next_probe)
		return;
	if (d->healthy || d->hang.hung)
		watchdog(d);
	/* A hung client passes the connect probe: wait for the drain. */
	if (!d->hang.hung && (!d->healthy || external)) {
		bool up = probe_listener(d->conf.port, d->conf.port6);

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
	}
	/* Up: the watchdog's pace (and an external client's probe). */
	d->next_probe = now + (d->healthy ? HANG_SAMPLE_MS
					  : d->conf.probe_interval_ms);
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
		return d->stopped ? UINT64_MAX : d->next_probe;
	case CL_IDLE:
		return external ? d->next_probe : UINT64_MAX;
	}
	return UINT64_MAX;
}
