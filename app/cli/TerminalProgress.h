#pragma once
// Runs a Job on the command line's own thread with a progress bar on stderr
// ("[#######.....]  58%  hashing model.pt"), redrawn in place on a terminal
// and printed as a line per tenth when stderr is a file or pipe. Ctrl-C
// cancels the job (it stops at its next check and keeps its partial results);
// a second Ctrl-C kills the process.

#include "jobs/JobHandle.h"

namespace basin::app {

JobStatus runJobInTerminal(Job& job);

}  // namespace basin::app
