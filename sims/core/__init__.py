"""Framework shared by every simulator: scenarios, run loop, output, MPI, random streams."""
