"""The two-stage disruption mode (workbook-v2 section 3): the figures of foresight (EVPI, VSS,
`metrics`), each scenario's model from the family blocks (`scenario_models`), and scenario
decomposition with mpi-sppy under MPI (`mpisppy_engine`, the `mpi` extra)."""
