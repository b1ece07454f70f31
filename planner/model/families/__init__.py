"""One module per family: each declares everything about its family (see `planner.model.family`).

The registry (`planner.model.registry`) lists them in model order; a module
here that the registry does not list fails at import. Modules whose name
starts with `_` hold code two sibling families share, not a family.
"""
