/*
 * stage_generate: the worker stage of `remotegen run` (see stage.h): prepares
 * the request, runs the template's plugins with the output cache where there
 * is one, and lets the job's target build the package, so CPU work stays off
 * the publisher.
 */
#include "stage.h"

#include <stdlib.h>

struct generate_arg {
	struct run_ctx *ctx;
	int thread_index;
};

/* The plugins of j as generate_plugin, with the parameter of each (params[i], owned by the caller). */
static struct plugin_spec *plugins_of(const struct run_ctx *ctx, const struct queue_job *q, char **params)
{
	struct plugin_spec *gp = xcalloc(q->n_plugins + 1, sizeof(*gp));
	for (size_t i = 0; i < q->n_plugins; i++) {
		const struct queue_plugin *p = &q->plugins[i];
		gp[i] = (struct plugin_spec){
			.label = p->label,
			.runtime = p->runtime,
			.exec_path = p->exec_path,
			.image_ref = p->image_ref,
			.parameter = params[i],
			.timeout_ms = p->timeout_ms,
			.memory_bytes = p->memory_bytes,
			.output_bytes = p->output_bytes,
			.version_id = p->version_id,
			.per_file = p->per_file,
			.ro_paths = &p->ro_paths,
			.runtime_cfg = &ctx->o->cfg->runtime,
		};
	}
	return gp;
}

/* target_run_fn: runs the plugins on in and leaves the files in j->files. */
static int run_plugins(struct job *j, void *arg, const struct request_input *in, char **params)
{
	struct generate_arg *a = arg;
	struct run_ctx *ctx = a->ctx;
	struct request req;
	enum plugin_failure failure = PLUGIN_TRANSIENT;
	if (request_prepare(&req, in, j->error) < 0) {
		job_fail(j, JOB_PERMANENT, j->error);
		return -1;
	}
	struct plugin_spec *gp = plugins_of(ctx, &j->q, params);
	struct filecache cache;
	if (ctx->caches) {
		outcache_ops(&ctx->caches[a->thread_index], &cache);
		/* With one worker nothing else computes the same keys at the same time. */
		cache.inflight = ctx->o->workers > 1 ? &ctx->inflight : NULL;
	}
	int rc = generate_run(&req, gp, j->q.n_plugins, ctx->caches ? &cache : NULL, &stage_abort_work, &j->files,
			      &failure, &j->plugin_ms, &j->cache, j->error);
	if (rc < 0)
		job_fail(j, job_outcome_of_plugin(failure), j->error);
	free(gp);
	request_release(&req);
	return rc < 0 ? -1 : 0;
}

void stage_generate(void *v, void *arg, int thread_index)
{
	struct job *j = v;
	struct generate_arg a = { .ctx = arg, .thread_index = thread_index };
	/* Stopping: what has not started yet goes back to the queue at once, so a stop
	 * waits for the plugins that run, not for everything claimed. */
	if (stage_stop_requested) {
		job_fail(j, JOB_INTERRUPTED, "not started before remotegen stopped: handed back");
		return;
	}
	j->target->produce(j, &a.ctx->env, run_plugins, &a);
	/* The package holds what the publisher needs: the inputs and the loose files go now. */
	j->n_files = j->files.n;
	fileset_release(&j->files);
	buf_release(&j->q.image);
}
