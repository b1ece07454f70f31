"""Everything that touches workbook files; the only modules that import openpyxl."""
