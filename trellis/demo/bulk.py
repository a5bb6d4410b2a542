"""The demo's stages write their big tables through the register's one raw inserter.

Kept as a name the stage modules import (`from trellis.demo import bulk; bulk.insert_rows(...)`);
pupils and their SEN histories go through `trellis.pupils.bulk.write_new_pupils`, which checks
them against the register's rules like any import.
"""

from __future__ import annotations

from trellis.pupils.bulk import insert_rows

__all__ = ["insert_rows"]
