"""The two-stage disruption mode (workbook-v2 section 3): the figures of foresight (EVPI, VSS) and the engines
beyond the extensive form that `planner.model.build` gives."""
