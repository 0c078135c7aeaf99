/*
 * host.c - the capacity of the machine orca runs on, for the implicit local
 * node. The only function of sched/ that asks the OS anything; the caller
 * invokes it, never the placement code.
 */
#include "sched/scheduler.h"

#include <sched.h>
#include <unistd.h>

void scheduler_host_detect(struct scheduler_host *h)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	/* The cpus this process may run on (a cpuset or taskset), when known. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		cpus = CPU_COUNT(&set);
	h->memory_bytes = pages > 0 && page_size > 0 ? (int64_t)pages * page_size : 0;
	h->cpu_millis = cpus > 0 ? (int64_t)cpus * 1000 : 0;
}
