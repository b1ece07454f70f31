"""The sourcing model: validated data -> blocks of numbers, one family at a time (step 3 of the pipeline).

Layout (each module has one job):

* `blocks`: `Columns` (a variable family) and `Rows` (a row family), each
  with named dimensions;
* `container`: `SourcingModel`, the blocks stacked into one matrix;
* `context`: `BuildContext`, the offers that get a variable, as the
  families read them;
* `family`: what every family declares (`VariableFamily`, `BoundFamily`,
  `RowFamily`, `RuleFamily`, `RuleKind`, `RowRef`);
* `families/`: one module per family, each its family's one home;
* `registry`: every family in model order, and lookups by name and by
  Policy rule kind;
* `builder`: `build(data, view)`, and `observe_builds` (the one hook that
  sees every model built);
* `conflicts`: rows that cannot hold whatever the plan, named before solving;
* `outer`: convex rules (max_hhi) held by tangent rows, and the cuts a solve
  adds to them (`Cut`, `SquaredShares`, `separate`);
* `pyomo`: the same model in Pyomo, both ways.

The blocks are the formulation's one definition: they go to HiGHS as they
are (`planner.solver.HighsModel`), and `create_model` renders them as Pyomo.
`models/formulation.md` has a section per family module, in registry order.
"""

from planner.model.blocks import INF, Columns, Rows
from planner.model.builder import build, observe_builds
from planner.model.conflicts import structural_conflicts
from planner.model.container import SourcingModel, View
from planner.model.context import BuildContext, model_offers, rule_id, rules_by_id
from planner.model.pyomo import create_model, from_pyomo, to_pyomo
from planner.model.registry import summaries

# Family name -> one line of meaning, for the objective, bounds and row families. `models/formulation.md`
# describes each.
FAMILIES: dict[str, str] = summaries()

__all__ = ["FAMILIES", "INF", "BuildContext", "Columns", "Rows", "SourcingModel", "View", "build", "create_model",
           "from_pyomo", "model_offers", "observe_builds", "rule_id", "rules_by_id",
           "structural_conflicts", "to_pyomo"]
