#!/bin/bash
# Tunnel client SIGKILL under load, failure-policy closed (kill switch):
# as 82-client-kill-open, but while the client is down no new proxied flow
# may ever go direct (they are dropped: no-listener drop), and some must
# have been blocked; after the restart they are proxied again.  Direct
# flows, long and new, never miss.
# timeout: 1200
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

fault_client_kill closed
