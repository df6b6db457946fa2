-- places: the region tree under a place, for pickers and names.
-- grain: one row per region.
-- parameters: $prefix
select region_code, name, level, parent_code, kind, households, population
from regions
where starts_with(region_code, $prefix)
order by region_code
