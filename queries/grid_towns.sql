-- grid_towns: per town and month, the sums of its villages' grid rows. The Engine builds it with each version
--   (TOWN_SUMS in queries/__init__.py), and grid_indicators.sql reads it for places of a town or larger: at
--   province scale a fifteenth of the rows a month, and the same sums (every measure of the grid is a count).
-- grain: one row per town and month; code_num is the town's own code (a village's code with its last three
--   digits zero, as code_num // $divisor places it everywhere else).
-- parameters: none
select
    month_num,
    code_num // 1000 * 1000 as code_num,
    sum(households)::bigint as households,
    sum(households_covered)::bigint as households_covered,
    sum(grids)::bigint as grids,
    sum(grid_workers)::bigint as grid_workers,
    sum(grid_party_orgs)::bigint as grid_party_orgs,
    sum(party_member_households)::bigint as party_member_households,
    count(*) as villages
from grid
group by all
-- in month order, so a window's months are a few row groups
order by month_num, code_num
