"""The two-stage disruption mode: extensive form and scenario-decomposition engines (section 3 of the workbook contract)."""
