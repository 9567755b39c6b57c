"""One module per stage of a run, named after it; each has `run(ctx) -> counts`. The order,
files and dependencies of the stages are declared in synthrl.pipeline's table."""
