-- places: the region tree under a place, for pickers and names.
-- grain: one row per region.
-- parameters: $code_lo, $code_hi
select region_code, name, level, parent_code, kind, households, population, transition_stage
from regions
where code_num between $code_lo and $code_hi
order by region_code
