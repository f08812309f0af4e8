#!/bin/bash
# Tunnel client SIGKILL under load, failure-policy open.  sluiced runs the
# real v2ray client (tproxy); the LAN host keeps making new TCP and UDP
# flows, v4 and v6, to a proxied and a white-listed Internet host, and
# holds long direct flows (TCP v4/v6, UDP v4).  The client is killed
# twice.  Asserted, per flow (each answer names the path it took):
#   - before the kill every proxied flow went through the v2ray server;
#   - from FAULT_BOUND (5 s) after the kill until sluiced restarts the
#     client, every new proxied flow went direct (fails open);
#   - from FAULT_BOUND after the client listens again, proxied again;
#   - every direct flow of the whole run was answered, directly, and the
#     long direct flows never missed an exchange;
#   - counters: errors 0, the white_list and redirect counters cover the
#     flows seen; the kernel log is clean (harness).
# timeout: 1200
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

fault_client_kill open
