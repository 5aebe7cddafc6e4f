"""Running the model: seeds, run specs and records, executors, the result store, folders."""
