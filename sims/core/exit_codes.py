"""Exit codes of ``entrosim`` (a module of its own so the command line can say them cheaply)."""

EXIT_OK = 0  # every run done
EXIT_RUN_FAILED = 1  # a run failed; the others went on
EXIT_BAD_INPUT = 2  # bad scenario, option or file: nothing was written
EXIT_INCOMPLETE = 3  # stopped by --time-limit or a signal, every run checkpointed
